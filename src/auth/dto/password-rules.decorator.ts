import { applyDecorators } from '@nestjs/common';
import { IsByteLength, IsString, Matches, MinLength } from 'class-validator';

import { RegistrationMessages } from '../../contract/contract-messages';
import { BCRYPT_MAX_PASSWORD_BYTES } from '../password-hasher.service';

/**
 * The password rules of registration, for a new password: a string of 8 characters to 72 bytes of UTF-8
 * (all of it counts for bcrypt), without control characters, with registration's messages.
 * `notAString` is the route's message for a missing value or one of another JSON type.
 */
export function PasswordRules(notAString: string): PropertyDecorator {
  // Registered in this order, so that the first message (the one the response carries) is the type's
  // for a value that is not a string, and otherwise the first rule it breaks.
  return applyDecorators(
    IsString({ message: notAString }),
    MinLength(8, { message: RegistrationMessages.passwordTooShort }),
    IsByteLength(0, BCRYPT_MAX_PASSWORD_BYTES, { message: RegistrationMessages.passwordTooLong }),
    Matches(/^\P{Cc}*$/u, { message: RegistrationMessages.passwordInvalid }),
  );
}
