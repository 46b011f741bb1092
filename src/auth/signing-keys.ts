import { createHash, createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';

import type { SigningAlgorithm } from '../config/environment.validation';

export interface SigningKeysConfig {
  algorithm: SigningAlgorithm;
  /** HS256: the secret that signs. */
  jwtSecret?: string;
  /** HS256: earlier (or, during a rotation, next) secrets that still verify but never sign. */
  previousSecrets: string[];
  /** ES256: the PKCS#8 PEM private key that signs. */
  privateKeyPem?: string;
  /** ES256: earlier public keys (PEM) that still verify. */
  previousPublicKeysPem: string[];
}

/** One key of the ring: its `kid` and what verifies a token that names it. */
export interface VerificationKey {
  kid: string;
  key: KeyObject;
}

/**
 * TokenService's key ring, private to it: the one key that signs, with its `kid`, and every key that
 * verifies, found by the `kid` in a token's header. A rotation moves the signing key into the previous ones, so tokens signed before
 * it keep working until they expire, and a refresh moves the player onto the new key.
 *
 * Under ES256 only EC P-256 public keys verify: an HS256 token signed with a public key as its secret
 * (algorithm confusion) finds no symmetric key to verify against, and jsonwebtoken refuses the mismatch.
 */
export class SigningKeys {
  public readonly algorithm: SigningAlgorithm;
  public readonly signingKid: string;
  public readonly signingKey: KeyObject;
  /** ES256: the public keys, current first, as the JWKS publishes them. Empty under HS256. */
  public readonly publicKeys: readonly VerificationKey[];
  private readonly verificationKeys: ReadonlyMap<string, KeyObject>;
  /** Each key of the ring by the first segment of the tokens signed with it, as jsonwebtoken encodes it. */
  private readonly keysByIssuedHeader: ReadonlyMap<string, KeyObject>;

  public constructor(config: SigningKeysConfig) {
    this.algorithm = config.algorithm;
    if (config.algorithm === 'HS256') {
      if (!config.jwtSecret) throw new Error('JWT_SECRET is required for JWT_ALGORITHM=HS256');
      const current = secretKey(config.jwtSecret);
      this.signingKid = current.kid;
      this.signingKey = current.key;
      this.publicKeys = [];
      this.verificationKeys = keyMap([current, ...config.previousSecrets.map(secretKey)]);
    } else {
      if (!config.privateKeyPem) throw new Error('JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required for ES256');
      const privateKey = ecPrivateKey(config.privateKeyPem);
      const current = ecPublicKey(createPublicKey(privateKey), 'JWT_PRIVATE_KEY');
      this.signingKid = current.kid;
      this.signingKey = privateKey;
      this.publicKeys = [
        current,
        ...config.previousPublicKeysPem.map((pem) => ecPublicKey(publicKeyFromPem(pem), 'JWT_PREVIOUS_PUBLIC_KEYS')),
      ];
      this.verificationKeys = keyMap(this.publicKeys);
    }
    this.keysByIssuedHeader = new Map(
      [...this.verificationKeys].map(([kid, key]) => [issuedHeaderSegment(this.algorithm, kid), key]),
    );
  }

  /**
   * The key named by a token's first segment when it is, byte for byte, the header this service's
   * tokens carry (every token it issues): the common case, found without decoding anything. Undefined
   * for any other segment, whose `kid` the caller then decodes.
   */
  public verificationKeyOfIssuedHeader(headerSegment: string): KeyObject | undefined {
    return this.keysByIssuedHeader.get(headerSegment);
  }

  /**
   * The key that verifies a token with this `kid`. A token without one was signed before key ids existed,
   * with the HS256 secret: it verifies against the current secret only, so the upgrade logs nobody out.
   */
  public verificationKey(kid: unknown): KeyObject | undefined {
    if (kid === undefined) return this.algorithm === 'HS256' ? this.signingKey : undefined;
    return typeof kid === 'string' ? this.verificationKeys.get(kid) : undefined;
  }
}

/**
 * An HS256 key's id: a digest of the secret, cut short and domain-separated, so it names the secret
 * without revealing anything usable about it (the secret is at least 32 random bytes).
 */
function secretKey(secret: string): VerificationKey {
  const kid = createHash('sha256').update('fungame-auth kid\0').update(secret).digest('base64url').slice(0, 16);
  return { kid, key: createSecretKey(Buffer.from(secret, 'utf8')) };
}

function ecPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('JWT_PRIVATE_KEY must be a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('JWT_PRIVATE_KEY must be an EC P-256 key for ES256');
  }
  return key;
}

function publicKeyFromPem(pem: string): KeyObject {
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('JWT_PREVIOUS_PUBLIC_KEYS must hold PEM public keys (-----BEGIN PUBLIC KEY-----)');
  }
}

/** An EC public key and its RFC 7638 thumbprint as `kid`: the same key has the same id everywhere. */
function ecPublicKey(key: KeyObject, variable: string): VerificationKey {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${variable} must hold EC P-256 keys for ES256`);
  }
  const { crv, x, y } = key.export({ format: 'jwk' });
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv, kty: 'EC', x, y }))
    .digest('base64url');
  return { kid, key };
}

/** The header segment of a token signed with this key: jws encodes `JSON.stringify` of the header as jsonwebtoken builds it. */
function issuedHeaderSegment(algorithm: SigningAlgorithm, kid: string): string {
  return Buffer.from(JSON.stringify({ alg: algorithm, typ: 'JWT', kid })).toString('base64url');
}

function keyMap(keys: readonly VerificationKey[]): ReadonlyMap<string, KeyObject> {
  return new Map(keys.map(({ kid, key }) => [kid, key]));
}
