import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { decode, sign, verify } from 'jsonwebtoken';

import { SigningKeys, SigningKeysConfig } from './signing-keys';

const CURRENT_SECRET = 'the current secret, at least 32 bytes long';
const PREVIOUS_SECRET = 'the previous secret, at least 32 bytes long';

function hs256(overrides: Partial<SigningKeysConfig> = {}): SigningKeys {
  return new SigningKeys({
    algorithm: 'HS256',
    jwtSecret: CURRENT_SECRET,
    previousSecrets: [],
    previousPublicKeysPem: [],
    ...overrides,
  });
}

function ecKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function es256(privatePem: string, previousPublicKeysPem: string[] = []): SigningKeys {
  return new SigningKeys({ algorithm: 'ES256', privateKeyPem: privatePem, previousSecrets: [], previousPublicKeysPem });
}

function signedBy(keys: SigningKeys): string {
  return sign({ sub: 'player123' }, keys.signingKey, { algorithm: keys.algorithm, keyid: keys.signingKid });
}

describe('SigningKeys', () => {
  describe('HS256', () => {
    it('names each secret by a stable kid that does not contain the secret', () => {
      const keys = hs256();
      expect(keys.signingKid).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(hs256().signingKid).toBe(keys.signingKid);
      expect(hs256({ jwtSecret: PREVIOUS_SECRET }).signingKid).not.toBe(keys.signingKid);
      expect(CURRENT_SECRET).not.toContain(keys.signingKid);
    });

    it('verifies tokens of the current and the previous secrets by kid, and nothing else', () => {
      const before = hs256({ jwtSecret: PREVIOUS_SECRET });
      const after = hs256({ previousSecrets: [PREVIOUS_SECRET] });
      const oldToken = signedBy(before);
      const newToken = signedBy(after);

      const oldKey = after.verificationKey(decode(oldToken, { complete: true })?.header.kid) as KeyObject;
      expect(verify(oldToken, oldKey, { algorithms: ['HS256'] })).toMatchObject({ sub: 'player123' });
      const newKey = after.verificationKey(after.signingKid) as KeyObject;
      expect(verify(newToken, newKey, { algorithms: ['HS256'] })).toMatchObject({ sub: 'player123' });

      expect(before.verificationKey(after.signingKid)).toBeUndefined();
      expect(after.verificationKey('unknown-kid')).toBeUndefined();
      expect(after.verificationKey(42)).toBeUndefined();
    });

    it('verifies a token without kid (signed before key ids) with the current secret only', () => {
      const keys = hs256();
      expect(keys.verificationKey(undefined)).toBe(keys.signingKey);
    });

    it('publishes no keys', () => {
      expect(hs256({ previousSecrets: [PREVIOUS_SECRET] }).jwks()).toEqual({ keys: [] });
    });

    it('refuses to start without a secret, naming it', () => {
      expect(() => hs256({ jwtSecret: undefined })).toThrow('JWT_SECRET is required for JWT_ALGORITHM=HS256');
    });
  });

  describe('ES256', () => {
    it('publishes the current and previous public keys with kid, alg and use, never the private part', () => {
      const old = ecKeyPair();
      const current = ecKeyPair();
      const keys = es256(current.privatePem, [old.publicPem]);
      const { keys: published } = keys.jwks();

      expect(published).toHaveLength(2);
      expect(published[0]).toEqual({
        kty: 'EC',
        crv: 'P-256',
        x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        kid: keys.signingKid,
        alg: 'ES256',
        use: 'sig',
      });
      expect(published[1].kid).toBe(es256(old.privatePem).signingKid);
      expect(published.some((jwk) => 'd' in jwk)).toBe(false);
    });

    it('verifies with the public key its kid names; a token without kid finds no key', () => {
      const old = ecKeyPair();
      const keys = es256(ecKeyPair().privatePem, [old.publicPem]);
      const oldToken = signedBy(es256(old.privatePem));
      const kid = decode(oldToken, { complete: true })?.header.kid;

      const key = keys.verificationKey(kid) as KeyObject;
      expect(key.type).toBe('public');
      expect(verify(oldToken, key, { algorithms: ['ES256'] })).toMatchObject({ sub: 'player123' });
      expect(keys.verificationKey(undefined)).toBeUndefined();
    });

    it('refuses an HS256 token signed with the public key as its secret (algorithm confusion)', () => {
      const pair = ecKeyPair();
      const keys = es256(pair.privatePem);
      const forged = sign({ sub: 'player123' }, pair.publicPem, { algorithm: 'HS256', keyid: keys.signingKid });

      const key = keys.verificationKey(keys.signingKid) as KeyObject;
      expect(() => verify(forged, key, { algorithms: ['ES256'] })).toThrow('invalid algorithm');
      expect(() => verify(forged, key, { algorithms: ['HS256'] })).toThrow();
    });

    it('refuses keys that are not EC P-256, naming the variable', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rsaPrivate = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const rsaPublic = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(() => es256(rsaPrivate)).toThrow('JWT_PRIVATE_KEY must be an EC P-256 key for ES256');
      expect(() => es256(ecKeyPair().privatePem, [rsaPublic])).toThrow(
        'JWT_PREVIOUS_PUBLIC_KEYS must hold EC P-256 keys for ES256',
      );
      expect(() => es256('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----')).toThrow(
        'JWT_PRIVATE_KEY must be a PKCS#8 PEM private key',
      );
    });
  });
});
