import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';

import { AuthService } from '../auth/auth.service';
import { RegisterDto } from '../auth/dto/register.dto';
import { MalformedRequestError, UsernameTakenError } from '../contract/contract-errors';
import { Command, operatorClient } from './command';
import { readPassword } from './read-password';

export const USERS_CREATE_USAGE =
  'Usage: npm run users:create -- <username>\n' +
  'The password is asked for on a terminal, or read from the first line of standard input; never from the arguments.';

/**
 * Creates an account as registration does (same name and password rules, bcrypt at BCRYPT_COST, an
 * audit event), without the per-address rate limit.
 */
export const createUser: Command = async ({ args, io, app }) => {
  // Exactly one argument: a password typed after the name is refused, not used.
  if (args.length !== 1) {
    io.stderr.write(`${USERS_CREATE_USAGE}\n`);
    return 2;
  }
  const [username] = args;
  const password = await readPassword(io);
  const problems = await registrationProblems(username, password);
  if (problems.length > 0) {
    io.stderr.write(`Refused: ${problems.join('; ')}\n`);
    return 1;
  }

  try {
    const user = await (await app()).get(AuthService).register(username, password, operatorClient('users:create'));
    io.stdout.write(`Created user ${user.username} (id ${user.id})\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsernameTakenError) {
      io.stderr.write(`Refused: the name ${username} is taken (in some letter case or a look-alike form)\n`);
      return 1;
    }
    if (error instanceof MalformedRequestError) {
      io.stderr.write(`Refused: ${error.reasons.join('; ')}\n`);
      return 1;
    }
    throw error;
  }
};

/** The register endpoint's own validation messages for these values, if any. */
async function registrationProblems(username: string, password: string): Promise<string[]> {
  const errors = await validate(plainToInstance(RegisterDto, { Username: username, Password: password }));
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}
