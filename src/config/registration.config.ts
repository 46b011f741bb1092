import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';

import { NodeEnvironment, parseBoolean } from './environment.validation';

/** Registration, password reset by mail, and the mail that carries their codes. */
export const registrationConfig = registerAs('registration', () => ({
  nodeEnv: (process.env.NODE_ENV ?? 'development') as NodeEnvironment,
  /** `POST /user/register` wants an API token with the `register` scope (register.md's APIBearer). */
  requiresApiToken: parseBoolean(process.env.REGISTRATION_REQUIRES_API_TOKEN ?? 'true') ?? true,
  /** Off: an account is created at the first request, `Email` optional (LAN parties, tests). */
  emailVerification: parseBoolean(process.env.REGISTRATION_EMAIL_VERIFICATION ?? 'true') ?? true,
  /** Unset: development writes the codes to the log; production refuses to start (with verification on). */
  smtpUrl: process.env.SMTP_URL || undefined,
  mailFrom: process.env.MAIL_FROM || 'FunGame <no-reply@fungame.localhost>',
  /** Where development keeps the default API token's secret, beside the generated JWT secret. */
  dataDir: resolve(process.env.DATA_DIR ?? '.data'),
}));
