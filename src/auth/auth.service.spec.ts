import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import * as bcrypt from 'bcrypt';
import { JwtPayload, verify } from 'jsonwebtoken';

import { AuditService } from '../audit/audit.service';
import type { authConfig } from '../config/auth.config';
import {
  AccountLockedError,
  InvalidBearerTokenError,
  InvalidCredentialsError,
  LogoutFailedError,
} from '../contract/contract-errors';
import { LoginLockoutService } from '../login-lockout/login-lockout.service';
import { ClientInfo, SessionsService, TokenRecord } from '../sessions/sessions.service';
import { UserCredentials, UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { AuthenticatedPrincipal } from './authenticated-principal';
import { SigningKeys } from './signing-keys';
import { PasswordHasher } from './password-hasher.service';
import { IssuedToken, TokenService } from './token.service';

const COST = 5;
const SECRET = 'unit-test-secret-of-at-least-32-bytes';
const CONFIG: ConfigType<typeof authConfig> = {
  algorithm: 'HS256',
  jwtSecret: SECRET,
  previousSecrets: [],
  privateKeyPem: undefined,
  previousPublicKeysPem: [],
  tokenLifetimeSeconds: 1800,
  issuer: 'FunGame',
  audience: 'FunGame Web API',
  bcryptCost: COST,
  refreshReuseGraceMs: 10_000,
};
const PASSWORD = 'Passw0rd!';
const USER_ID = '3f0c2a4e-8d7b-4c1e-9a51-2b6f0e9d7c13';
const SESSION_ID = '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d';
const TOKEN_ID = 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const OPEN_TOKEN = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';
const OTHER_SESSION_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CLIENT: ClientInfo = { address: '203.0.113.7', userAgent: 'FunGame/1.0' };

const PRINCIPAL: AuthenticatedPrincipal = {
  userId: USER_ID,
  username: 'Player',
  email: null,
  registeredAt: new Date('2026-11-01T08:00:00.000Z'),
  sessionId: SESSION_ID,
  tokenId: TOKEN_ID,
  isCurrentToken: true,
  sessionAgeMs: 90_000,
};

/** The bcrypt module itself, whose `compare` the hasher calls: spied on to count comparisons. */
const bcryptModule = jest.requireActual<typeof bcrypt>('bcrypt');

type UsersMock = jest.Mocked<Pick<UsersService, 'create' | 'findCredentials' | 'updatePasswordHash'>>;
type SessionsMock = jest.Mocked<
  Pick<
    SessionsService,
    'start' | 'rotate' | 'findRecentSuccessor' | 'end' | 'endOthersOfUser' | 'endOthersOfUserWhileCurrent'
  >
>;
type LockoutMock = jest.Mocked<Pick<LoginLockoutService, 'secondsLocked' | 'recordFailure' | 'recordSuccess'>>;
type AuditMock = jest.Mocked<Pick<AuditService, 'record'>>;

function claimsOf(token: string): JwtPayload {
  return verify(token, SECRET, { algorithms: ['HS256'] }) as JwtPayload;
}

function recordOf(token: IssuedToken): TokenRecord {
  return { id: token.id, issuedAt: token.issuedAt, expiresAt: token.expiresAt };
}

describe('AuthService', () => {
  let passwords: PasswordHasher;
  let tokens: TokenService;
  let users: UsersMock;
  let sessions: SessionsMock;
  let lockout: LockoutMock;
  let audit: AuditMock;
  let auth: AuthService;
  let warnings: jest.SpyInstance;
  /** A bcrypt hash of PASSWORD at the configured cost. */
  let passwordHash: string;

  beforeAll(async () => {
    passwords = new PasswordHasher(CONFIG);
    await passwords.onModuleInit();
    passwordHash = await bcrypt.hash(PASSWORD, COST);
  });

  beforeEach(() => {
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    tokens = new TokenService(CONFIG, new JwtService({}), new SigningKeys(CONFIG));
    users = {
      create: jest.fn(),
      findCredentials: jest.fn().mockResolvedValue(null),
      updatePasswordHash: jest.fn().mockResolvedValue(undefined),
    };
    sessions = {
      start: jest.fn().mockResolvedValue({ id: SESSION_ID, openToken: OPEN_TOKEN }),
      rotate: jest.fn().mockResolvedValue(true),
      findRecentSuccessor: jest.fn().mockResolvedValue(null),
      end: jest.fn().mockResolvedValue(true),
      endOthersOfUser: jest.fn().mockResolvedValue([OTHER_SESSION_ID]),
      endOthersOfUserWhileCurrent: jest.fn().mockResolvedValue([OTHER_SESSION_ID]),
    };
    lockout = {
      secondsLocked: jest.fn().mockResolvedValue(null),
      recordFailure: jest.fn().mockResolvedValue({ lockedForSeconds: null }),
      recordSuccess: jest.fn().mockResolvedValue(undefined),
    };
    audit = { record: jest.fn().mockResolvedValue(undefined) };
    auth = new AuthService(
      CONFIG,
      users as unknown as UsersService,
      sessions as unknown as SessionsService,
      passwords,
      tokens,
      lockout as unknown as LoginLockoutService,
      audit as unknown as AuditService,
    );
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('login', () => {
    const credentials = (hash: string): UserCredentials => ({ id: USER_ID, username: 'Player', passwordHash: hash });

    it('opens a session and returns its bearer token and open token', async () => {
      users.findCredentials.mockResolvedValue(credentials(passwordHash));

      const result = await auth.login('player', PASSWORD, CLIENT);

      expect(users.findCredentials).toHaveBeenCalledWith('player');
      expect(sessions.start).toHaveBeenCalledTimes(1);
      const [sessionId, userId, token, client] = sessions.start.mock.calls[0];
      expect(sessionId).toMatch(UUID);
      expect(userId).toBe(USER_ID);
      expect(client).toBe(CLIENT);
      expect(token.expiresAt.getTime() - token.issuedAt.getTime()).toBe(1_800_000);
      expect(result).toEqual({ bearerToken: tokens.sign('Player', sessionId, token), openToken: OPEN_TOKEN });
      expect(claimsOf(result.bearerToken)).toMatchObject({ sub: 'Player', sid: sessionId, jti: token.id });
      expect(lockout.recordSuccess).toHaveBeenCalledWith('player');
      expect(users.updatePasswordHash).not.toHaveBeenCalled();
    });

    it('refuses an unknown user with InvalidCredentialsError, after one bcrypt comparison all the same', async () => {
      const compare = jest.spyOn(bcryptModule, 'compare');

      await expect(auth.login('nobody', PASSWORD, CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(users.findCredentials).toHaveBeenCalledWith('nobody');
      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare.mock.calls[0][0]).toBe(PASSWORD);
      expect(bcrypt.getRounds(compare.mock.calls[0][1])).toBe(COST);
      expect(sessions.start).not.toHaveBeenCalled();
      expect(lockout.recordFailure).toHaveBeenCalledWith('nobody');
    });

    it('refuses a wrong password with InvalidCredentialsError, after one bcrypt comparison', async () => {
      users.findCredentials.mockResolvedValue(credentials(passwordHash));
      const compare = jest.spyOn(bcryptModule, 'compare');

      await expect(auth.login('Player', 'Passw0rd?', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare).toHaveBeenCalledWith('Passw0rd?', passwordHash);
      expect(sessions.start).not.toHaveBeenCalled();
      expect(lockout.recordFailure).toHaveBeenCalledWith('player');
    });

    it.each<[string, string, string]>([
      ['an empty password', 'Player', ''],
      ['an empty username', '', PASSWORD],
      ['a username that can never exist', 'Pla\0yer', PASSWORD],
    ])('refuses %s without looking the name up, after one bcrypt comparison', async (_case, username, password) => {
      const compare = jest.spyOn(bcryptModule, 'compare');

      await expect(auth.login(username, password, CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(users.findCredentials).not.toHaveBeenCalled();
      expect(compare).toHaveBeenCalledTimes(1);
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('refuses a locked name with AccountLockedError, before looking at the password', async () => {
      lockout.secondsLocked.mockResolvedValue(42);

      const error: unknown = await auth.login('Player', PASSWORD, CLIENT).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(AccountLockedError);
      expect((error as AccountLockedError).retryAfterSeconds).toBe(42);
      expect(lockout.secondsLocked).toHaveBeenCalledWith('player');
      expect(users.findCredentials).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('rehashes the password at the configured cost when the stored hash has a lower one', async () => {
      const oldHash = await bcrypt.hash(PASSWORD, COST - 1);
      users.findCredentials.mockResolvedValue(credentials(oldHash));

      await auth.login('Player', PASSWORD, CLIENT);

      expect(users.updatePasswordHash).toHaveBeenCalledTimes(1);
      const [userId, newHash] = users.updatePasswordHash.mock.calls[0];
      expect(userId).toBe(USER_ID);
      expect(bcrypt.getRounds(newHash)).toBe(COST);
      await expect(bcrypt.compare(PASSWORD, newHash)).resolves.toBe(true);
    });
  });

  describe('refresh', () => {
    it('rotates the session to a new token of the same session, and returns it', async () => {
      const token = await auth.refresh(PRINCIPAL, CLIENT);

      expect(sessions.rotate).toHaveBeenCalledTimes(1);
      const [sessionId, presentedTokenId, next] = sessions.rotate.mock.calls[0];
      expect([sessionId, presentedTokenId]).toEqual([SESSION_ID, TOKEN_ID]);
      expect(next.id).toMatch(UUID);
      expect(next.id).not.toBe(TOKEN_ID);
      expect(token).toBe(tokens.sign('Player', SESSION_ID, next));
      expect(claimsOf(token)).toMatchObject({ sub: 'Player', sid: SESSION_ID, jti: next.id });
      expect(sessions.findRecentSuccessor).not.toHaveBeenCalled();
      expect(sessions.end).not.toHaveBeenCalled();
    });

    it('when another refresh won the race, returns the very token that one minted', async () => {
      const winner = tokens.issue('Player', SESSION_ID);
      sessions.rotate.mockResolvedValue(false);
      sessions.findRecentSuccessor.mockResolvedValue(recordOf(winner));

      await expect(auth.refresh(PRINCIPAL, CLIENT)).resolves.toBe(winner.token);

      expect(sessions.findRecentSuccessor).toHaveBeenCalledWith(SESSION_ID, TOKEN_ID, 10_000);
      expect(sessions.end).not.toHaveBeenCalled();
    });

    it('for a token replaced within the grace window, returns its successor without rotating again', async () => {
      const successor = tokens.issue('Player', SESSION_ID);
      sessions.findRecentSuccessor.mockResolvedValue(recordOf(successor));

      await expect(auth.refresh({ ...PRINCIPAL, isCurrentToken: false }, CLIENT)).resolves.toBe(successor.token);

      expect(sessions.rotate).not.toHaveBeenCalled();
      expect(sessions.end).not.toHaveBeenCalled();
    });

    it.each<[string, boolean]>([
      ['a replaced token', false],
      ['a token whose rotation lost', true],
    ])('for %s with no recent successor, ends the session as reuse and refuses', async (_case, isCurrentToken) => {
      sessions.rotate.mockResolvedValue(false);

      await expect(auth.refresh({ ...PRINCIPAL, isCurrentToken }, CLIENT)).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );

      expect(sessions.end).toHaveBeenCalledTimes(1);
      expect(sessions.end).toHaveBeenCalledWith(SESSION_ID, 'reuse_detected');
      expect(warnings).toHaveBeenCalledWith(`Replaced token reused: ended session ${SESSION_ID} of user ${USER_ID}`);
    });

    it('refuses all the same, without a warning, when the session had already ended', async () => {
      sessions.end.mockResolvedValue(false);

      await expect(auth.refresh({ ...PRINCIPAL, isCurrentToken: false }, CLIENT)).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );
      expect(warnings).not.toHaveBeenCalled();
    });
  });

  describe('logout', () => {
    const subject = { username: 'Player', userId: USER_ID, sessionId: SESSION_ID };

    it('ends the session only while the presented token is its current one', async () => {
      await auth.logout(PRINCIPAL, CLIENT);

      expect(sessions.end).toHaveBeenCalledTimes(1);
      expect(sessions.end).toHaveBeenCalledWith(SESSION_ID, 'logout', TOKEN_ID);
      expect(sessions.endOthersOfUser).not.toHaveBeenCalled();
      expect(sessions.endOthersOfUserWhileCurrent).not.toHaveBeenCalled();
      expect(audit.record.mock.calls).toEqual([['logout', subject, CLIENT]]);
    });

    it.each(['current', 'all'] as const)(
      'scope %s: a session that ended after the guard is a LogoutFailedError, and nothing else ends',
      async (scope) => {
        sessions.end.mockResolvedValue(false);

        await expect(auth.logout(PRINCIPAL, CLIENT, scope)).rejects.toBeInstanceOf(LogoutFailedError);

        expect(sessions.endOthersOfUser).not.toHaveBeenCalled();
        expect(audit.record).not.toHaveBeenCalled();
      },
    );

    it('scope all: ends the caller’s session first, then the others', async () => {
      await auth.logout(PRINCIPAL, CLIENT, 'all');

      expect(sessions.end).toHaveBeenCalledWith(SESSION_ID, 'logout', TOKEN_ID);
      expect(sessions.endOthersOfUser).toHaveBeenCalledWith(USER_ID, SESSION_ID, 'revoked');
      expect(sessions.end.mock.invocationCallOrder[0]).toBeLessThan(
        sessions.endOthersOfUser.mock.invocationCallOrder[0],
      );
      expect(audit.record.mock.calls).toEqual([
        ['logout', subject, CLIENT],
        ['session_revoked', { ...subject, sessionId: OTHER_SESSION_ID }, CLIENT],
      ]);
    });

    it('scope others: ends the others only while the caller’s token is current, and keeps its session', async () => {
      await auth.logout(PRINCIPAL, CLIENT, 'others');

      expect(sessions.endOthersOfUserWhileCurrent).toHaveBeenCalledWith(USER_ID, SESSION_ID, TOKEN_ID, 'revoked');
      expect(sessions.end).not.toHaveBeenCalled();
      expect(audit.record.mock.calls).toEqual([
        ['session_revoked', { ...subject, sessionId: OTHER_SESSION_ID }, CLIENT],
      ]);
    });

    it('scope others: a caller’s session that ended after the guard is a LogoutFailedError', async () => {
      sessions.endOthersOfUserWhileCurrent.mockResolvedValue(null);

      await expect(auth.logout(PRINCIPAL, CLIENT, 'others')).rejects.toBeInstanceOf(LogoutFailedError);

      expect(audit.record).not.toHaveBeenCalled();
    });

    it('scope others with no other session: succeeds, ending nothing', async () => {
      sessions.endOthersOfUserWhileCurrent.mockResolvedValue([]);

      await expect(auth.logout(PRINCIPAL, CLIENT, 'others')).resolves.toBeUndefined();

      expect(audit.record).not.toHaveBeenCalled();
    });
  });
});
