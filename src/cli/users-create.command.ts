import { parseArgs } from 'node:util';

import { passwordRuleBroken } from '../auth/dto/password-rules.decorator';
import { EmailTakenError, UsernameTakenError } from '../contract/contract-errors';
import { RegistrationMessages } from '../contract/contract-messages';
import { RegistrationService } from '../registration/registration.service';
import { normaliseEmail, normaliseUsername } from '../users/username-rules';
import { Command, operatorClient } from './command';
import { readPassword } from './read-password';

export const USERS_CREATE_USAGE =
  'Usage: npm run users:create -- <username> [--email <address>]\n' +
  'The password is asked for on a terminal, or read from the first line of standard input; never from the arguments.';

/**
 * Creates an account as registration does (same name, email and password rules, bcrypt at BCRYPT_COST,
 * an audit event), without a mailed code and without the per-address rate limit.
 */
export const createUser: Command = async ({ args, io, app }) => {
  let username: string;
  let rawEmail: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { email: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    // Exactly one name: a password typed after it is refused, not used.
    if (positionals.length !== 1) throw new Error('one username, and nothing else, is expected');
    [username] = positionals;
    rawEmail = values.email;
  } catch {
    io.stderr.write(`${USERS_CREATE_USAGE}\n`);
    return 2;
  }
  const password = await readPassword(io);
  const normalisedName = normaliseUsername(username);
  const email = rawEmail === undefined ? null : normaliseEmail(rawEmail);
  const problems = [
    normalisedName === null ? RegistrationMessages.usernameInvalid : null,
    rawEmail !== undefined && email === null ? RegistrationMessages.emailInvalid : null,
    passwordRuleBroken(password),
  ].filter((problem) => problem !== null);
  if (problems.length > 0) {
    io.stderr.write(`Refused: ${problems.join('; ')}\n`);
    return 1;
  }

  try {
    const user = await (
      await app()
    )
      .get(RegistrationService)
      .createUser(normalisedName!, password, email, { client: operatorClient('users:create'), apiTokenId: null });
    io.stdout.write(`Created user ${user.username} (id ${user.id})\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsernameTakenError) {
      io.stderr.write(`Refused: the name ${username} is taken (in some letter case or a look-alike form)\n`);
      return 1;
    }
    if (error instanceof EmailTakenError) {
      io.stderr.write(`Refused: the email ${rawEmail} belongs to another account (in some letter case)\n`);
      return 1;
    }
    throw error;
  }
};
