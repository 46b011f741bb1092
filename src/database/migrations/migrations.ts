import { CreateUsersAndSessions1763700000000 } from './1763700000000-CreateUsersAndSessions';
import { CreateLoginFailuresAndAuditEvents1763710000000 } from './1763710000000-CreateLoginFailuresAndAuditEvents';
import { AddLegacyPasswordColumns1763720000000 } from './1763720000000-AddLegacyPasswordColumns';
import { AddEmailsApiTokensAndVerificationCodes1763730000000 } from './1763730000000-AddEmailsApiTokensAndVerificationCodes';

/** Every migration, oldest first. Listed rather than globbed so ts-jest and the built dist agree. */
export const MIGRATIONS = [
  CreateUsersAndSessions1763700000000,
  CreateLoginFailuresAndAuditEvents1763710000000,
  AddLegacyPasswordColumns1763720000000,
  AddEmailsApiTokensAndVerificationCodes1763730000000,
];
