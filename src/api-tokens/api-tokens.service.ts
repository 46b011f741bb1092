import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, QueryFailedError, Repository } from 'typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { ApiToken } from './api-token.entity';
import { API_TOKEN_ID_PATTERN, ApiTokenScopeName } from './api-token-scopes';
import type { AuthenticatedApiToken } from './authenticated-api-token';

/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';

/** 256 bits: a hash of it can be stored unsalted, and it cannot be guessed by trying. */
const SECRET_BYTES = 32;
/** base64url of SECRET_BYTES. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What `api-tokens:list` shows of a token: never its secret or hash. */
export interface ApiTokenSummary {
  id: string;
  scopes: ApiTokenScopeName[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Why a presented token was refused; `unknown` also covers text that is no API token at all. */
export type ApiTokenRefusal = 'unknown' | 'wrong_secret' | 'revoked';

export type ApiTokenCheck =
  { ok: true; token: AuthenticatedApiToken } | { ok: false; reason: ApiTokenRefusal; claimedId: string | null };

export class ApiTokenExistsError extends Error {}

/**
 * The `api_tokens` table. A token as presented is `<id>.<secret>`: the id finds the row, the secret's
 * SHA-256 is compared with the stored one in constant time. A player's JWT (three dot-separated parts)
 * never has the shape of one, and an API token is no JWT.
 */
@Injectable()
export class ApiTokensService {
  public constructor(@InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>) {}

  /**
   * Issues a token; returns it as it must be presented (`<id>.<secret>`). Only its hash is kept.
   * @throws ApiTokenExistsError when the id is taken, also by a revoked token.
   */
  public async create(id: string, scopes: readonly ApiTokenScopeName[]): Promise<string> {
    if (!API_TOKEN_ID_PATTERN.test(id)) throw new Error(`not an API token id: ${id}`);
    const secret = randomBytes(SECRET_BYTES).toString('base64url');
    try {
      await this.tokens.insert({ id, secretHash: hashOf(secret), scopes: [...new Set(scopes)] });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ApiTokenExistsError(`An API token with the id ${id} exists already.`);
      }
      throw error;
    }
    return `${id}.${secret}`;
  }

  public async exists(id: string): Promise<boolean> {
    return this.tokens.existsBy({ id });
  }

  public async list(): Promise<ApiTokenSummary[]> {
    const rows = await this.tokens.find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(({ id, scopes, createdAt, lastUsedAt, revokedAt }) => ({
      id,
      scopes,
      createdAt,
      lastUsedAt,
      revokedAt,
    }));
  }

  /** Revokes a live token: refused from the next request on, on every instance. False if none is live. */
  public async revoke(id: string): Promise<boolean> {
    const result = await this.tokens.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }

  /** Checks a presented token, and notes its use. */
  public async check(presented: string): Promise<ApiTokenCheck> {
    const separator = presented.lastIndexOf('.');
    const id = presented.slice(0, separator);
    const secret = presented.slice(separator + 1);
    if (separator < 0 || !API_TOKEN_ID_PATTERN.test(id) || !SECRET_PATTERN.test(secret)) {
      return { ok: false, reason: 'unknown', claimedId: null };
    }
    const row = await this.tokens.findOne({
      select: { id: true, secretHash: true, scopes: true, revokedAt: true },
      where: { id },
    });
    if (!row) return { ok: false, reason: 'unknown', claimedId: id };
    if (!timingSafeEqual(row.secretHash, hashOf(secret))) return { ok: false, reason: 'wrong_secret', claimedId: id };
    if (row.revokedAt !== null) return { ok: false, reason: 'revoked', claimedId: id };
    await this.tokens.update({ id }, { lastUsedAt: () => 'now()' });
    return { ok: true, token: { id: row.id, scopes: row.scopes } };
  }
}

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
