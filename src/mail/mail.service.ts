import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createTransport, Transporter } from 'nodemailer';

import { registrationConfig } from '../config/registration.config';
import type { VerificationPurpose } from '../verification-codes/verification-code.entity';
import { verificationMail } from './verification-mail';

/** The mail could not be handed to the mail server; nothing was sent. */
export class MailNotSentError extends Error {}

/**
 * Sends the verification codes over SMTP (SMTP_URL). Without SMTP_URL, development writes them to the
 * log instead, so the walk-through works without a mail server; anywhere else nothing is sent (and
 * production refuses to start that way while verification is on).
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger(MailService.name);
  private readonly transport?: Transporter;

  public constructor(@Inject(registrationConfig.KEY) private readonly config: ConfigType<typeof registrationConfig>) {
    // Opens no connection yet; each send does, and fails within these timeouts when the server is away.
    if (config.smtpUrl) {
      this.transport = createTransport({
        url: config.smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      });
    }
  }

  /** @throws MailNotSentError */
  public async sendVerificationCode(
    purpose: VerificationPurpose,
    to: string,
    username: string,
    code: string,
  ): Promise<void> {
    const mail = verificationMail(purpose, username, code);
    if (!this.transport) {
      if (this.config.nodeEnv !== 'development') throw new MailNotSentError('SMTP_URL is not set');
      this.logger.warn(`SMTP_URL is not set (development): the ${purpose} code for ${to} is ${code}`);
      return;
    }
    try {
      await this.transport.sendMail({ from: this.config.mailFrom, to, ...mail });
    } catch (error) {
      // The server's reply may quote the recipient, never the code: the code is only in the body.
      throw new MailNotSentError(`mail to the SMTP server failed: ${(error as Error).message}`);
    }
  }

  public onModuleDestroy(): void {
    this.transport?.close();
  }
}
