import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';

import { JwtStrategy } from '../auth/strategies/jwt.strategy';
import { TokenService } from '../auth/token.service';

/** RFC 7662's answer about one token. */
export type IntrospectionResult =
  | {
      active: true;
      /** The token's `sub`: the player's name (always the account's current one; see JwtStrategy). */
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
 * same checks (TokenService's `verify`, JwtStrategy's session lookup: a replaced, logged-out, expired or
 * forged token is inactive), and as cheap: the session lookups of one turn of the event loop, a whole
 * batch included, are one query.
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
    private readonly tokens: TokenService,
    private readonly strategy: JwtStrategy,
    private readonly emitter: EventEmitter2,
  ) {}

  /** @throws whatever the session lookup throws (an internal failure, not an inactive token) */
  public async introspect(token: string): Promise<IntrospectionResult> {
    const claims = this.tokens.verify(token);
    const principal = claims && (await this.strategy.principalOf(claims, false));
    const result: IntrospectionResult =
      claims && principal?.isCurrentToken
        ? {
            active: true,
            sub: claims.sub,
            sid: claims.sid,
            exp: claims.exp,
            iat: claims.iat,
            user_id: principal.userId,
            username: principal.username,
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
