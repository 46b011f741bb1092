import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';

import { authConfig } from '../config/auth.config';
import { InvalidBearerTokenError, InvalidCredentialsError, MalformedRequestError } from '../contract/contract-errors';
import { RegistrationMessages } from '../contract/contract-messages';
import { ClientInfo, SessionsService } from '../sessions/sessions.service';
import { UserProfile, UsersService } from '../users/users.service';
import { AuthenticatedPrincipal } from './authenticated-principal';
import { PasswordHasher } from './password-hasher.service';
import { TokenService } from './token.service';

export interface LoginResult {
  bearerToken: string;
  openToken: string;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  public constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenService,
  ) {}

  /** @throws MalformedRequestError for a name that can never be a username; UsernameTakenError. */
  public async register(rawUsername: string, password: string): Promise<UserProfile> {
    const username = UsersService.normaliseUsername(rawUsername);
    if (username === null) throw new MalformedRequestError([RegistrationMessages.usernameInvalid]);
    return this.users.create(username, await this.passwords.hash(password));
  }

  /**
   * Checks the credentials and opens a session. Unknown user, wrong password and empty fields fail alike,
   * in the same time (one bcrypt comparison each).
   * @throws InvalidCredentialsError
   */
  public async login(username: string, password: string, client: ClientInfo): Promise<LoginResult> {
    const user = username && password ? await this.users.findCredentials(username) : null;
    const passwordMatches = await this.passwords.verify(password, user?.passwordHash);
    if (!user || !passwordMatches) throw new InvalidCredentialsError();

    if (this.passwords.needsRehash(user.passwordHash)) {
      await this.users.updatePasswordHash(user.id, await this.passwords.hash(password));
    }
    const sessionId = randomUUID();
    const token = this.tokens.issue(user.username, sessionId);
    const session = await this.sessions.start(sessionId, user.id, token, client);
    return { bearerToken: token.token, openToken: session.openToken };
  }

  /**
   * Replaces the presented token with a new one of the same session (fresh lifetime) and revokes it.
   * A token replaced moments ago (a concurrent refresh, a retry) gets the successor already minted;
   * after the grace window a replaced token is taken as stolen and its whole session ends.
   * @throws InvalidBearerTokenError
   */
  public async refresh(principal: AuthenticatedPrincipal): Promise<string> {
    if (principal.isCurrentToken) {
      const next = this.tokens.issue(principal.username, principal.sessionId);
      if (await this.sessions.rotate(principal.sessionId, principal.tokenId, next)) return next.token;
    }
    const successor = await this.sessions.findRecentSuccessor(
      principal.sessionId,
      principal.tokenId,
      this.config.refreshReuseGraceMs,
    );
    if (successor) return this.tokens.sign(principal.username, principal.sessionId, successor);

    if (await this.sessions.end(principal.sessionId, 'reuse_detected')) {
      this.logger.warn(`Replaced token reused: ended session ${principal.sessionId} of user ${principal.userId}`);
    }
    throw new InvalidBearerTokenError();
  }

  /** Ends the caller's session, so its token is refused from the next request on, on every instance. */
  public async logout(principal: AuthenticatedPrincipal): Promise<void> {
    await this.sessions.end(principal.sessionId, 'logout', principal.tokenId);
  }
}
