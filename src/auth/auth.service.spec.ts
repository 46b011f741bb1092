import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as bcrypt from 'bcrypt';
import { JwtPayload, verify } from 'jsonwebtoken';

import { AuditService } from '../audit/audit.service';
import {
  AccountLockedError,
  InvalidBearerTokenError,
  InvalidCredentialsError,
  LogoutFailedError,
} from '../contract/contract-errors';
import type { LockoutStateRow } from '../login-lockout/login-lockout.repository';
import { LoginLockoutService } from '../login-lockout/login-lockout.service';
import { AuthenticatedPrincipal } from '../request/authenticated-principal';
import type { ClientInfo } from '../request/client-info';
import { SessionsService, TokenRecord } from '../sessions/sessions.service';
import { UserCredentials, UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { UNIT_TEST_SECRET, unitTestAuthConfig } from './auth-config.fixture';
import { PasswordHasher } from './password-hasher.service';
import { IssuedToken, TokenService } from './token.service';

const COST = 5;
const SECRET = UNIT_TEST_SECRET;
const CONFIG = unitTestAuthConfig({ bcryptCost: COST });
const PASSWORD = 'Passw0rd!';
const USER_ID = '3f0c2a4e-8d7b-4c1e-9a51-2b6f0e9d7c13';
const SESSION_ID = '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d';
const TOKEN_ID = 'b2c4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const OPEN_TOKEN = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';
const OTHER_SESSION_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** SESSION_MAX_AGE of these tests. */
const ONE_HOUR_MS = 3_600_000;
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

type UsersMock = jest.Mocked<Pick<UsersService, 'create' | 'findCredentialsAlong' | 'updatePasswordHash'>>;
type SessionsMock = jest.Mocked<
  Pick<
    SessionsService,
    'start' | 'rotate' | 'findSuccessorToResend' | 'endAsReused' | 'logout' | 'isLiveWithCurrentToken' | 'end'
  >
>;
type LockoutMock = jest.Mocked<Pick<LoginLockoutService, 'stateQuery' | 'recordFailure' | 'recordSuccess'>>;

/** What LoginLockoutService.stateQuery hands the users' read to run along with the credentials. */
const LOCKOUT_QUERY = { text: 'SELECT lockout state', values: [] };
const NO_FAILURES: LockoutStateRow = { lockout_seconds: null, lockout_has_failures: false };

/** What the one read of the login finds: the account (or none) and this address's lockout of the name. */
function found(
  credentials: UserCredentials | null,
  lockout: LockoutStateRow = NO_FAILURES,
): { credentials: UserCredentials | null; alongside: LockoutStateRow } {
  return { credentials, alongside: lockout };
}
type AuditMock = jest.Mocked<Pick<AuditService, 'record' | 'announce'>>;

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
    tokens = new TokenService(CONFIG, new JwtService());
    users = {
      create: jest.fn(),
      findCredentialsAlong: jest.fn().mockResolvedValue(found(null)),
      updatePasswordHash: jest.fn().mockResolvedValue(undefined),
    };
    sessions = {
      start: jest.fn().mockResolvedValue({ id: SESSION_ID, openToken: OPEN_TOKEN }),
      rotate: jest.fn().mockResolvedValue(true),
      findSuccessorToResend: jest.fn().mockResolvedValue(null),
      endAsReused: jest
        .fn()
        .mockResolvedValue([{ id: SESSION_ID, userId: USER_ID, event: 'refresh_reuse_detected' as const }]),
      logout: jest.fn().mockResolvedValue([{ id: SESSION_ID, userId: USER_ID, event: 'logout' as const }]),
      isLiveWithCurrentToken: jest.fn().mockResolvedValue(true),
      end: jest.fn().mockResolvedValue(true),
    };
    lockout = {
      stateQuery: jest.fn().mockReturnValue(LOCKOUT_QUERY),
      recordFailure: jest.fn().mockResolvedValue({ lockedForSeconds: null, nameThrottleStarted: false }),
      recordSuccess: jest.fn().mockResolvedValue(undefined),
    };
    audit = { record: jest.fn().mockResolvedValue(undefined), announce: jest.fn() };
    auth = new AuthService(
      CONFIG,
      users as unknown as UsersService,
      sessions as unknown as SessionsService,
      passwords,
      tokens,
      lockout as unknown as LoginLockoutService,
      audit as unknown as AuditService,
      { maxAgeMs: ONE_HOUR_MS, maxPerUser: 10 },
    );
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('login', () => {
    const credentials = (hash: string): UserCredentials => ({
      id: USER_ID,
      username: 'Player',
      passwordHash: hash,
      ban: null,
    });

    it('opens a session and returns its bearer token and open token', async () => {
      users.findCredentialsAlong.mockResolvedValue(found(credentials(passwordHash)));

      const result = await auth.login('player', PASSWORD, CLIENT);

      // One read: the account and this address's lockout of the name together.
      expect(lockout.stateQuery).toHaveBeenCalledWith('player', CLIENT.address);
      expect(users.findCredentialsAlong).toHaveBeenCalledWith('player', LOCKOUT_QUERY);
      expect(sessions.start).toHaveBeenCalledTimes(1);
      const [sessionId, userId, token, client, auditRow] = sessions.start.mock.calls[0];
      expect(sessionId).toMatch(UUID);
      expect(userId).toBe(USER_ID);
      expect(client).toBe(CLIENT);
      // The audit row goes with the session, into its transaction; it is announced once committed.
      expect(auditRow).toEqual({
        event: 'login_succeeded',
        username: 'Player',
        userId: USER_ID,
        sessionId,
        clientAddress: CLIENT.address,
        userAgent: CLIENT.userAgent,
        apiTokenId: null,
      });
      expect(audit.record).not.toHaveBeenCalledWith('login_succeeded', expect.anything(), expect.anything());
      expect(audit.announce).toHaveBeenCalledWith('login_succeeded', {
        username: 'Player',
        userId: USER_ID,
        sessionId,
      });
      expect(token.expiresAt.getTime() - token.issuedAt.getTime()).toBe(1_800_000);
      expect(result).toEqual({ bearerToken: tokens.sign('Player', sessionId, token), openToken: OPEN_TOKEN });
      expect(claimsOf(result.bearerToken)).toMatchObject({ sub: 'Player', sid: sessionId, jti: token.id });
      // No failures on record from this address: nothing to clear, no write.
      expect(lockout.recordSuccess).not.toHaveBeenCalled();
      expect(users.updatePasswordHash).not.toHaveBeenCalled();
    });

    it('clears the failures of the name from this address when there are some', async () => {
      users.findCredentialsAlong.mockResolvedValue(
        found(credentials(passwordHash), { lockout_seconds: null, lockout_has_failures: true }),
      );

      await auth.login('player', PASSWORD, CLIENT);

      expect(lockout.recordSuccess).toHaveBeenCalledWith('player', CLIENT.address);
      expect(sessions.start).toHaveBeenCalledTimes(1);
    });

    it('refuses an unknown user with InvalidCredentialsError, after one bcrypt comparison all the same', async () => {
      const compare = jest.spyOn(bcryptModule, 'compare');

      await expect(auth.login('nobody', PASSWORD, CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(users.findCredentialsAlong).toHaveBeenCalledWith('nobody', LOCKOUT_QUERY);
      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare.mock.calls[0][0]).toBe(PASSWORD);
      expect(bcrypt.getRounds(compare.mock.calls[0][1])).toBe(COST);
      expect(sessions.start).not.toHaveBeenCalled();
      expect(lockout.recordFailure).toHaveBeenCalledWith('nobody', CLIENT.address);
    });

    it('refuses a wrong password with InvalidCredentialsError, after one bcrypt comparison', async () => {
      users.findCredentialsAlong.mockResolvedValue(found(credentials(passwordHash)));
      const compare = jest.spyOn(bcryptModule, 'compare');

      await expect(auth.login('Player', 'Passw0rd?', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare).toHaveBeenCalledWith('Passw0rd?', passwordHash);
      expect(sessions.start).not.toHaveBeenCalled();
      expect(lockout.recordFailure).toHaveBeenCalledWith('player', CLIENT.address);
    });

    it('audits the failure that takes the name past its threshold over all addresses', async () => {
      lockout.recordFailure.mockResolvedValue({ lockedForSeconds: null, nameThrottleStarted: true });

      await expect(auth.login('Player', 'Passw0rd?', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(audit.record.mock.calls.map(([event]) => event)).toEqual(['login_name_throttled', 'login_failed']);
      expect(warnings).toHaveBeenCalledWith(
        'Account name throttled for every failing address after failed logins from many addresses',
      );
    });

    it.each<[string, string, string]>([
      ['an empty username', '', PASSWORD],
      ['a username that can never exist', 'Pla\0yer', PASSWORD],
    ])('refuses %s without looking the name up, after one bcrypt comparison', async (_case, username, password) => {
      const compare = jest.spyOn(bcryptModule, 'compare');

      await expect(auth.login(username, password, CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(users.findCredentialsAlong).not.toHaveBeenCalled();
      expect(compare).toHaveBeenCalledTimes(1);
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('refuses an empty password without looking at the account, after one bcrypt comparison', async () => {
      // The account comes with the lockout in the one read the lockout needs anyway; it is not used.
      users.findCredentialsAlong.mockResolvedValue(found(credentials(passwordHash)));
      const compare = jest.spyOn(bcryptModule, 'compare');

      await expect(auth.login('Player', '', CLIENT)).rejects.toBeInstanceOf(InvalidCredentialsError);

      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare).not.toHaveBeenCalledWith('', passwordHash);
      expect(sessions.start).not.toHaveBeenCalled();
      expect(lockout.recordFailure).toHaveBeenCalledWith('player', CLIENT.address);
    });

    it('refuses a locked name with AccountLockedError, before looking at the password', async () => {
      users.findCredentialsAlong.mockResolvedValue(
        found(credentials(passwordHash), { lockout_seconds: 42, lockout_has_failures: true }),
      );
      const compare = jest.spyOn(bcryptModule, 'compare');

      const error: unknown = await auth.login('Player', PASSWORD, CLIENT).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(AccountLockedError);
      expect((error as AccountLockedError).retryAfterSeconds).toBe(42);
      expect(lockout.stateQuery).toHaveBeenCalledWith('player', CLIENT.address);
      expect(compare).not.toHaveBeenCalled();
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('rehashes the password at the configured cost when the stored hash has a lower one', async () => {
      const oldHash = await bcrypt.hash(PASSWORD, COST - 1);
      users.findCredentialsAlong.mockResolvedValue(found(credentials(oldHash)));

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
      const [sessionId, presentedTokenId, next, actor] = sessions.rotate.mock.calls[0];
      expect([sessionId, presentedTokenId, actor]).toEqual([
        SESSION_ID,
        TOKEN_ID,
        { username: 'Player', client: CLIENT },
      ]);
      expect(audit.announce).toHaveBeenCalledWith('token_refreshed', {
        username: 'Player',
        userId: USER_ID,
        sessionId: SESSION_ID,
      });
      expect(next.id).toMatch(UUID);
      expect(next.id).not.toBe(TOKEN_ID);
      expect(token).toBe(tokens.sign('Player', SESSION_ID, next));
      expect(claimsOf(token)).toMatchObject({ sub: 'Player', sid: SESSION_ID, jti: next.id });
      expect(sessions.findSuccessorToResend).not.toHaveBeenCalled();
      expect(sessions.endAsReused).not.toHaveBeenCalled();
    });

    it('when another refresh won the race, returns the very token that one minted', async () => {
      const winner = tokens.issue('Player', SESSION_ID);
      sessions.rotate.mockResolvedValue(false);
      sessions.findSuccessorToResend.mockResolvedValue(recordOf(winner));

      await expect(auth.refresh(PRINCIPAL, CLIENT)).resolves.toBe(winner.token);

      expect(sessions.findSuccessorToResend).toHaveBeenCalledWith(SESSION_ID, TOKEN_ID, 10_000);
      expect(sessions.endAsReused).not.toHaveBeenCalled();
    });

    it('for a token replaced within the grace window, returns its successor without rotating again', async () => {
      const successor = tokens.issue('Player', SESSION_ID);
      sessions.findSuccessorToResend.mockResolvedValue(recordOf(successor));

      await expect(auth.refresh({ ...PRINCIPAL, isCurrentToken: false }, CLIENT)).resolves.toBe(successor.token);

      expect(sessions.rotate).not.toHaveBeenCalled();
      expect(sessions.endAsReused).not.toHaveBeenCalled();
    });

    it.each<[string, boolean]>([
      ['a replaced token', false],
      ['a token whose rotation lost', true],
    ])('for %s with no recent successor, ends the session as reuse and refuses', async (_case, isCurrentToken) => {
      sessions.rotate.mockResolvedValue(false);

      await expect(auth.refresh({ ...PRINCIPAL, isCurrentToken }, CLIENT)).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );

      expect(sessions.endAsReused).toHaveBeenCalledTimes(1);
      expect(sessions.endAsReused).toHaveBeenCalledWith(SESSION_ID, { username: 'Player', client: CLIENT });
      expect(audit.announce).toHaveBeenCalledWith('refresh_reuse_detected', {
        username: 'Player',
        userId: USER_ID,
        sessionId: SESSION_ID,
      });
      expect(warnings).toHaveBeenCalledWith(`Replaced token reused: ended session ${SESSION_ID} of user ${USER_ID}`);
    });

    it('refuses all the same, without a warning, when the session had already ended', async () => {
      sessions.endAsReused.mockResolvedValue([]);

      await expect(auth.refresh({ ...PRINCIPAL, isCurrentToken: false }, CLIENT)).rejects.toBeInstanceOf(
        InvalidBearerTokenError,
      );
      expect(warnings).not.toHaveBeenCalled();
      expect(audit.announce).not.toHaveBeenCalled();
    });

    describe('SESSION_MAX_AGE (1h)', () => {
      it('lets a session younger than the age refresh without ending it', async () => {
        await expect(auth.refresh({ ...PRINCIPAL, sessionAgeMs: ONE_HOUR_MS - 1 }, CLIENT)).resolves.toEqual(
          expect.any(String),
        );
        expect(sessions.end).not.toHaveBeenCalled();
      });

      it('refuses a session of exactly the age, and ends it as expired', async () => {
        await expect(auth.refresh({ ...PRINCIPAL, sessionAgeMs: ONE_HOUR_MS }, CLIENT)).rejects.toBeInstanceOf(
          InvalidBearerTokenError,
        );
        expect(sessions.end).toHaveBeenCalledWith(PRINCIPAL.sessionId, 'expired');
        expect(sessions.rotate).not.toHaveBeenCalled();
      });

      it('refuses an older session even when another request ended it first', async () => {
        sessions.end.mockResolvedValue(false);

        await expect(auth.refresh({ ...PRINCIPAL, sessionAgeMs: 2 * ONE_HOUR_MS }, CLIENT)).rejects.toBeInstanceOf(
          InvalidBearerTokenError,
        );
      });
    });
  });

  describe('logout', () => {
    it('ends the session only while the presented token is its current one', async () => {
      await auth.logout(PRINCIPAL, CLIENT);

      expect(sessions.logout).toHaveBeenCalledTimes(1);
      expect(sessions.logout).toHaveBeenCalledWith(
        PRINCIPAL,
        { current: true, others: false },
        { username: 'Player', client: CLIENT },
      );
      expect(audit.announce).toHaveBeenCalledWith('logout', {
        username: 'Player',
        userId: USER_ID,
        sessionId: SESSION_ID,
      });
    });

    it.each([
      ['current', { current: true, others: false }],
      ['all', { current: true, others: true }],
      ['others', { current: false, others: true }],
    ] as const)('scope %s: one statement with the matching parts', async (scope, parts) => {
      sessions.logout.mockResolvedValue([{ id: OTHER_SESSION_ID, userId: USER_ID, event: 'session_revoked' }]);
      if (scope !== 'others') {
        sessions.logout.mockResolvedValue([
          { id: SESSION_ID, userId: USER_ID, event: 'logout' },
          { id: OTHER_SESSION_ID, userId: USER_ID, event: 'session_revoked' },
        ]);
      }

      await expect(auth.logout(PRINCIPAL, CLIENT, scope)).resolves.toBeUndefined();

      expect(sessions.logout).toHaveBeenCalledWith(PRINCIPAL, parts, { username: 'Player', client: CLIENT });
      expect(sessions.isLiveWithCurrentToken).not.toHaveBeenCalled();
    });

    it.each(['current', 'all'] as const)(
      'scope %s: a session that ended after the guard (nothing ended) is a LogoutFailedError',
      async (scope) => {
        sessions.logout.mockResolvedValue([]);

        await expect(auth.logout(PRINCIPAL, CLIENT, scope)).rejects.toBeInstanceOf(LogoutFailedError);

        expect(audit.announce).not.toHaveBeenCalled();
      },
    );

    it('scope others: nothing ended and the caller’s token no longer current is a LogoutFailedError', async () => {
      sessions.logout.mockResolvedValue([]);
      sessions.isLiveWithCurrentToken.mockResolvedValue(false);

      await expect(auth.logout(PRINCIPAL, CLIENT, 'others')).rejects.toBeInstanceOf(LogoutFailedError);

      expect(sessions.isLiveWithCurrentToken).toHaveBeenCalledWith(SESSION_ID, TOKEN_ID);
    });

    it('scope others with no other session: succeeds, ending nothing', async () => {
      sessions.logout.mockResolvedValue([]);

      await expect(auth.logout(PRINCIPAL, CLIENT, 'others')).resolves.toBeUndefined();

      expect(audit.announce).not.toHaveBeenCalled();
    });
  });
});
