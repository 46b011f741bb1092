import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MinLength, ValidateBy, ValidationOptions } from 'class-validator';

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
    MaxUtf8Bytes(BCRYPT_MAX_PASSWORD_BYTES, { message: RegistrationMessages.passwordTooLong }),
    // Control characters, and lone UTF-16 surrogates (no UTF-8 encoding: they would be stored altered).
    Matches(/^[^\p{Cc}\p{Cs}]*$/u, { message: RegistrationMessages.passwordInvalid }),
  );
}

/**
 * The same rules as a plain check, for the routes that answer a broken rule with a 200 of their own
 * (register.md): the message of the first rule `password` breaks, or null.
 */
export function passwordRuleBroken(password: string): string | null {
  if (password.length < 8) return RegistrationMessages.passwordTooShort;
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) return RegistrationMessages.passwordTooLong;
  if (/[\p{Cc}\p{Cs}]/u.test(password)) return RegistrationMessages.passwordInvalid;
  return null;
}

/** class-validator's IsByteLength counts with encodeURI, which throws on a lone surrogate. */
function MaxUtf8Bytes(max: number, options: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxUtf8Bytes',
      constraints: [max],
      validator: { validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max },
    },
    options,
  );
}
