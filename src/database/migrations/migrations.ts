import { CreateUsersAndSessions1763700000000 } from './1763700000000-CreateUsersAndSessions';
import { CreateLoginFailuresAndAuditEvents1763710000000 } from './1763710000000-CreateLoginFailuresAndAuditEvents';
import { AddLegacyPasswordColumns1763720000000 } from './1763720000000-AddLegacyPasswordColumns';
import { AddEmailsApiTokensAndVerificationCodes1763730000000 } from './1763730000000-AddEmailsApiTokensAndVerificationCodes';
import { LockoutPerClientAddress1763750000000 } from './1763750000000-LockoutPerClientAddress';
import { AddSessionsCurrentTokenUsed1763760000000 } from './1763760000000-AddSessionsCurrentTokenUsed';
import { AddUsernameSkeletons1763770000000 } from './1763770000000-AddUsernameSkeletons';
import { AddSessionEvents1763780000000 } from './1763780000000-AddSessionEvents';
import { AddUserBans1763790000000 } from './1763790000000-AddUserBans';

/** Every migration, oldest first. Listed rather than globbed so ts-jest and the built dist agree. */
export const MIGRATIONS = [
  CreateUsersAndSessions1763700000000,
  CreateLoginFailuresAndAuditEvents1763710000000,
  AddLegacyPasswordColumns1763720000000,
  AddEmailsApiTokensAndVerificationCodes1763730000000,
  LockoutPerClientAddress1763750000000,
  AddSessionsCurrentTokenUsed1763760000000,
  AddUsernameSkeletons1763770000000,
  AddSessionEvents1763780000000,
  AddUserBans1763790000000,
];
