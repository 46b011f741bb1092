import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { AuditService } from '../audit/audit.service';
import { auditRowOf } from '../audit/audit-row';
import { passwordRuleBroken } from '../auth/dto/password-rules.decorator';
import { PasswordHasher } from '../auth/password-hasher.service';
import { registrationConfig } from '../config/registration.config';
import { AccountLockedError, EmailTakenError, UsernameTakenError } from '../contract/contract-errors';
import { PasswordResetMessages, RegistrationMessages } from '../contract/contract-messages';
import { LoginLockoutService } from '../login-lockout/login-lockout.service';
import { MailService } from '../mail/mail.service';
import type { ClientInfo } from '../request/client-info';
import { SessionsService } from '../sessions/sessions.service';
import {
  emailKey,
  hasInvisibleCharacters,
  normaliseEmail,
  normaliseUsername,
  usernameKey,
} from '../users/username-rules';
import { UserProfile, UsersService } from '../users/users.service';
import type { VerificationPurpose } from '../verification-codes/verification-code.entity';
import { CodeAddressee, VerificationCodesService } from '../verification-codes/verification-codes.service';
import { PasswordResetOutcome, RegInvokeType, RegistrationOutcome } from './registration-outcome';

export interface RegisterInput {
  username: string;
  password: string;
  email?: string | null;
  verifyCode?: string | null;
}

export interface ResetPasswordInput {
  username: string;
  email: string;
  verifyCode: string;
  newPassword: string;
}

/** Who asked, for the audit trail: where from, and with which API token (if one was needed). */
export interface RequestOrigin {
  client: ClientInfo;
  apiTokenId: string | null;
}

const refused = (message: string, type = RegInvokeType.None): RegistrationOutcome => ({
  success: false,
  type,
  message,
});
const NAME_TAKEN = refused(RegistrationMessages.usernameTaken, RegInvokeType.DuplicateUserName);
const EMAIL_TAKEN = refused(RegistrationMessages.emailTaken, RegInvokeType.DuplicateEmail);
const AWAITING_CODE = refused('', RegInvokeType.InputVerifyCode);
const REGISTERED: RegistrationOutcome = {
  success: true,
  type: RegInvokeType.None,
  message: RegistrationMessages.registered,
};

/**
 * Registration as register.md has it (a code mailed first, the account created only with the right
 * code), and the password reset by mail. Nothing about an account is written before its code is right.
 */
@Injectable()
export class RegistrationService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RegistrationService.name);
  /** Reset codes being issued and mailed after their request was answered (see `findPassword`). */
  private readonly queued = new Set<Promise<void>>();

  public constructor(
    @Inject(registrationConfig.KEY) private readonly config: ConfigType<typeof registrationConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly codes: VerificationCodesService,
    private readonly mail: MailService,
    private readonly lockout: LoginLockoutService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** @throws MailNotSentError when the code could not be mailed (no code is left behind). */
  public async register(input: RegisterInput, origin: RequestOrigin): Promise<RegistrationOutcome> {
    const username = normaliseUsername(input.username);
    if (username === null) return refused(RegistrationMessages.usernameInvalid);
    if (hasInvisibleCharacters(username)) return refused(RegistrationMessages.usernameInvisible);
    const passwordProblem = passwordRuleBroken(input.password);
    if (passwordProblem !== null) return refused(passwordProblem);
    const rawEmail = input.email ?? '';
    const email = rawEmail === '' && !this.config.emailVerification ? null : normaliseEmail(rawEmail);
    if (email === null && (rawEmail !== '' || this.config.emailVerification)) {
      return refused(RegistrationMessages.emailInvalid);
    }

    if (!this.config.emailVerification) {
      return this.createAccount(username, await this.passwords.hash(input.password), email, origin);
    }
    if (await this.users.usernameTaken(username)) return NAME_TAKEN;
    if (await this.users.emailTaken(email!)) return EMAIL_TAKEN;

    const addressee = addresseeOf('register', username, email!);
    const code = input.verifyCode ?? '';
    if (code === '') {
      await this.mailCode(addressee, username, email!, origin);
      return AWAITING_CODE;
    }

    // bcrypt before the transaction: its row lock on the code is held for milliseconds, not a hash.
    const passwordHash = await this.passwords.hash(input.password);
    try {
      const outcome = await this.dataSource.transaction(async (manager) => {
        const check = await this.codes.check(manager, addressee, code);
        if (check !== 'valid') return check;
        return this.users.create(username, passwordHash, email, manager);
      });
      if (outcome === 'wrong' || outcome === 'expired') {
        await this.audit.record('register_code_rejected', { username, apiTokenId: origin.apiTokenId }, origin.client);
        return refused(outcome === 'wrong' ? RegistrationMessages.wrongCode : RegistrationMessages.codeExpired);
      }
      await this.recordRegistered(outcome, origin);
      return REGISTERED;
    } catch (error) {
      return takenOutcome(error);
    }
  }

  /**
   * An account without a mailed code: `users:create`, and registration with verification off.
   * @throws UsernameTakenError, EmailTakenError
   */
  public async createUser(
    username: string,
    password: string,
    email: string | null,
    origin: RequestOrigin,
  ): Promise<UserProfile> {
    const user = await this.users.create(username, await this.passwords.hash(password), email);
    await this.recordRegistered(user, origin);
    return user;
  }

  /**
   * Mails a reset code when the name and email belong to one account. The answer is the same whether
   * or not they do, so that it tells nobody which accounts exist; and so is its timing: the code is
   * issued and mailed (or the miss audited) after the answer, in the background. A mail that does not
   * go out is logged and takes its code with it; the player asks again.
   */
  public async findPassword(
    rawUsername: string,
    rawEmail: string,
    origin: RequestOrigin,
  ): Promise<PasswordResetOutcome> {
    const username = normaliseUsername(rawUsername);
    if (username === null) return { success: false, message: RegistrationMessages.usernameInvalid };
    const email = normaliseEmail(rawEmail);
    if (email === null) return { success: false, message: RegistrationMessages.emailInvalid };

    const user = await this.users.findByUsernameAndEmail(username, email);
    this.queue(
      user === null
        ? () =>
            this.audit.record(
              'password_reset_code_not_sent',
              { username, apiTokenId: origin.apiTokenId },
              origin.client,
            )
        : () => this.mailCode(addresseeOf('reset', user.username, email), user.username, email, origin, user.id),
    );
    return { success: true, message: PasswordResetMessages.codeSent };
  }

  /** A stopping process answers no new request by now: let the queued reset mails finish first. */
  public async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queued]);
  }

  private queue(work: () => Promise<void>): void {
    const job = work()
      .catch((error: unknown) => {
        // mailCode has discarded the code already; the message names the SMTP failure, never the code.
        this.logger.error(`A password-reset code was not mailed: ${(error as Error).message}`);
      })
      .finally(() => this.queued.delete(job));
    this.queued.add(job);
  }

  /**
   * Sets a new password with the mailed code, and ends every session of the account. Wrong codes count
   * toward the name's login lockout; while it is locked nothing is checked.
   * @throws AccountLockedError
   */
  public async resetPassword(input: ResetPasswordInput, origin: RequestOrigin): Promise<PasswordResetOutcome> {
    const username = normaliseUsername(input.username);
    if (username === null) return { success: false, message: RegistrationMessages.usernameInvalid };
    const email = normaliseEmail(input.email);
    if (email === null) return { success: false, message: RegistrationMessages.emailInvalid };
    const passwordProblem = passwordRuleBroken(input.newPassword);
    if (passwordProblem !== null) return { success: false, message: passwordProblem };

    const nameKey = usernameKey(username);
    const subject = { username, apiTokenId: origin.apiTokenId };
    const { secondsLocked } = await this.lockout.state(nameKey, origin.client.address);
    if (secondsLocked !== null) {
      await this.audit.record('password_reset_failed', subject, origin.client);
      throw new AccountLockedError(secondsLocked);
    }

    const passwordHash = await this.passwords.hash(input.newPassword);
    const addressee = addresseeOf('reset', username, email);
    const check = await this.dataSource.transaction((manager) =>
      this.codes.check(manager, addressee, input.verifyCode),
    );
    const user = check === 'valid' ? await this.users.findByUsernameAndEmail(username, email) : null;
    if (user === null) {
      if (check !== 'expired') {
        const { lockedForSeconds } = await this.lockout.recordFailure(nameKey, origin.client.address);
        if (lockedForSeconds !== null) await this.audit.record('account_locked', subject, origin.client);
      }
      await this.audit.record('password_reset_failed', subject, origin.client);
      const message = check === 'expired' ? PasswordResetMessages.codeExpired : PasswordResetMessages.wrongCode;
      return { success: false, message };
    }

    // The new hash, the end of every session and the audit row commit together or not at all.
    await this.sessions.endOthersOfUserAfter(
      (manager) => this.users.updatePasswordHash(user.id, passwordHash, manager),
      user.id,
      null,
      'password_reset',
      auditRowOf('password_reset', { ...subject, userId: user.id }, origin.client),
    );
    this.audit.announce('password_reset', { ...subject, userId: user.id });
    await this.lockout.recordSuccess(nameKey, origin.client.address);
    return { success: true, message: PasswordResetMessages.passwordReset };
  }

  private async createAccount(
    username: string,
    passwordHash: string,
    email: string | null,
    origin: RequestOrigin,
  ): Promise<RegistrationOutcome> {
    try {
      await this.recordRegistered(await this.users.create(username, passwordHash, email), origin);
      return REGISTERED;
    } catch (error) {
      return takenOutcome(error);
    }
  }

  /**
   * Issues and mails a code, unless one went out less than 10 minutes ago (that one stays valid, and
   * the answer is the same). A mail that does not go out takes its code with it.
   */
  private async mailCode(
    addressee: CodeAddressee,
    username: string,
    email: string,
    origin: RequestOrigin,
    userId: string | null = null,
  ): Promise<void> {
    const event = addressee.purpose === 'register' ? 'register_code_sent' : 'password_reset_code_sent';
    const subject = { username, userId, apiTokenId: origin.apiTokenId };
    const code = await this.codes.issue(addressee);
    if (code === null) {
      if (addressee.purpose === 'reset')
        await this.audit.record('password_reset_code_not_sent', subject, origin.client);
      return;
    }
    try {
      await this.mail.sendVerificationCode(addressee.purpose, email, username, code);
    } catch (error) {
      // The exception filter logs it (without the code, which is only in the mail's body) and answers 400.
      await this.codes.discard(addressee);
      throw error;
    }
    await this.audit.record(event, subject, origin.client);
  }

  private async recordRegistered(user: UserProfile, origin: RequestOrigin): Promise<void> {
    await this.audit.record(
      'register',
      { username: user.username, userId: user.id, apiTokenId: origin.apiTokenId },
      origin.client,
    );
  }
}

function addresseeOf(purpose: VerificationPurpose, username: string, email: string): CodeAddressee {
  return { purpose, usernameKey: usernameKey(username), emailKey: emailKey(email) };
}

function takenOutcome(error: unknown): RegistrationOutcome {
  if (error instanceof UsernameTakenError) return NAME_TAKEN;
  if (error instanceof EmailTakenError) return EMAIL_TAKEN;
  throw error;
}
