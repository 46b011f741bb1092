import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';

import { BearerTokenVerifier } from '../auth/bearer-token-verifier';

/** RFC 7662's answer about one token. */
export type IntrospectionResult =
  | {
      active: true;
      /** The token's `sub`: the player's name (always the account's current one; see the verifier). */
      sub: string;
      sid: string;
      exp: number;
      iat: number;
      user_id: string;
      username: string;
    }
  | { active: false };

/** Emitted (EventEmitter2) once per token introspected, for the metrics. */
export const TOKEN_INTROSPECTED = 'introspection.token-introspected';
export interface TokenIntrospected {
  active: boolean;
}

/** The most tokens one batch request may ask about. */
export const INTROSPECTION_BATCH_MAX = 100;

const INACTIVE: IntrospectionResult = { active: false };

/**
 * Answers game servers: is this player's token good right now? Exactly the guard's verdict, through the
 * same BearerTokenVerifier (a replaced, logged-out, expired or forged token is inactive), and as cheap:
 * the session lookups of one turn of the event loop, a whole batch included, are one query.
 *
 * An introspection never marks the token as used (`marksUse: false`). The mark tells refresh that the
 * player's own client has its new token, so that presenting the token it replaced is theft; a game
 * server asking is not the client using it (it may be checking a token it cached, or one it was handed
 * with a replay), and the answer must not change what the player's next refresh may do. It also keeps
 * introspection a pure read.
 */
@Injectable()
export class IntrospectionService {
  public constructor(
    private readonly verifier: BearerTokenVerifier,
    private readonly emitter: EventEmitter2,
  ) {}

  public async introspect(token: string): Promise<IntrospectionResult> {
    const verified = await this.verifier.verify(token, false);
    const result: IntrospectionResult = verified
      ? {
          active: true,
          sub: verified.claims.sub,
          sid: verified.claims.sid,
          exp: verified.claims.exp,
          iat: verified.claims.iat,
          user_id: verified.principal.userId,
          username: verified.principal.username,
        }
      : INACTIVE;
    this.emitter.emit(TOKEN_INTROSPECTED, { active: result.active } satisfies TokenIntrospected);
    return result;
  }

  /** One answer per token, in order; the lookups all start in this turn, so they share one query. */
  public introspectAll(tokens: readonly string[]): Promise<IntrospectionResult[]> {
    return Promise.all(tokens.map((token) => this.introspect(token)));
  }
}
