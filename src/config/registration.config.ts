import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';

import { loadEnvironment } from './environment.validation';

/** Registration, password reset by mail, and the mail that carries their codes. */
export const registrationConfig = registerAs('registration', () => {
  const environment = loadEnvironment();
  return {
    nodeEnv: environment.NODE_ENV,
    /** `POST /user/register` wants an API token with the `register` scope (register.md's APIBearer). */
    requiresApiToken: environment.REGISTRATION_REQUIRES_API_TOKEN,
    /** Off: an account is created at the first request, `Email` optional (LAN parties, tests). */
    emailVerification: environment.REGISTRATION_EMAIL_VERIFICATION,
    /** Unset: development writes the codes to the log; production refuses to start (with verification on). */
    smtpUrl: environment.SMTP_URL,
    mailFrom: environment.MAIL_FROM,
    /** Where development keeps the default API token's secret, beside the generated JWT secret. */
    dataDir: resolve(environment.DATA_DIR),
  };
});
