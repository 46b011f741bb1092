import { ApiToken } from './api-tokens/api-token.entity';
import { AuditEvent } from './audit/audit-event.entity';
import { LoginFailure } from './login-lockout/login-failure.entity';
import { LoginNameFailure } from './login-lockout/login-name-failure.entity';
import { SessionEvent } from './session-events/session-event.entity';
import { Session } from './sessions/session.entity';
import { User } from './users/user.entity';
import { VerificationCode } from './verification-codes/verification-code.entity';

/**
 * Every table the service maps, for the app and the migration CLI alike (through `typeormOptions`), so
 * that `migration:generate` and `npm run migration:check` see each entity the app uses. Listed rather
 * than globbed so ts-jest and the built dist agree; `app.entities.spec.ts` fails when an `*.entity.ts` file
 * declares an entity that is missing here (TypeORM itself would only fail at its first query).
 * Here in the composition root, not in database/, so that database/ depends on no feature.
 */
export const ENTITIES = [
  ApiToken,
  AuditEvent,
  LoginFailure,
  LoginNameFailure,
  Session,
  SessionEvent,
  User,
  VerificationCode,
];
