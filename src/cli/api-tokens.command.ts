import { parseArgs } from 'node:util';

import { API_TOKEN_ID_PATTERN, API_TOKEN_SCOPES, isApiTokenScope } from '../api-tokens/api-token-scopes';
import { ApiTokenExistsError, ApiTokensService } from '../api-tokens/api-tokens.service';
import { AuditService } from '../audit/audit.service';
import { Command, operatorClient } from './command';

export const API_TOKENS_CREATE_USAGE =
  'Usage: npm run api-tokens:create -- <id> [--scopes a,b]\n' +
  `id: lower-case letters, digits, _ and -. Scopes: ${API_TOKEN_SCOPES.join(', ')} (default: register).`;
export const API_TOKENS_LIST_USAGE = 'Usage: npm run api-tokens:list';
export const API_TOKENS_REVOKE_USAGE = 'Usage: npm run api-tokens:revoke -- <id>';

/**
 * Issues an API token and prints it once, alone on the last line (`<id>.<secret>`, to be sent as
 * `Authorization: Bearer ...`); only its hash is stored, so it cannot be shown again.
 */
export const createApiToken: Command = async ({ args, io, app }) => {
  let id: string;
  let scopes: string[];
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { scopes: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new Error('one id is expected');
    [id] = positionals;
    scopes = (values.scopes ?? 'register').split(',').map((scope) => scope.trim());
    if (!API_TOKEN_ID_PATTERN.test(id)) throw new Error(`not a usable id: ${id}`);
    const unknown = scopes.filter((scope) => !isApiTokenScope(scope));
    if (unknown.length > 0 || scopes.length === 0) throw new Error(`unknown scope: ${unknown.join(', ')}`);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${API_TOKENS_CREATE_USAGE}\n`);
    return 2;
  }
  const context = await app();
  let token: string;
  try {
    token = await context.get(ApiTokensService).create(id, scopes.filter(isApiTokenScope));
  } catch (error) {
    if (!(error instanceof ApiTokenExistsError)) throw error;
    io.stderr.write(`Refused: ${error.message} Revoked ids are not reused; pick another.\n`);
    return 1;
  }
  await context.get(AuditService).record('api_token_created', { apiTokenId: id }, operatorClient('api-tokens:create'));
  io.stdout.write(
    `Created API token ${id} with scopes ${[...new Set(scopes)].join(', ')}.\n` +
      'Send it as "Authorization: Bearer <token>". It is shown only now; only its hash is stored:\n' +
      `${token}\n`,
  );
  return 0;
};

/** Every token: id, scopes, created, last used, revoked. Never a secret. */
export const listApiTokens: Command = async ({ args, io, app }) => {
  if (args.length !== 0) {
    io.stderr.write(`${API_TOKENS_LIST_USAGE}\n`);
    return 2;
  }
  const tokens = await (await app()).get(ApiTokensService).list();
  const rows = [
    ['ID', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED'],
    ...tokens.map((token) => [
      token.id,
      token.scopes.join(','),
      token.createdAt.toISOString(),
      token.lastUsedAt?.toISOString() ?? '-',
      token.revokedAt?.toISOString() ?? '-',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  io.stdout.write(
    rows
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n',
  );
  return 0;
};

/** Revokes a token: refused from the next request on, on every instance. */
export const revokeApiToken: Command = async ({ args, io, app }) => {
  if (args.length !== 1) {
    io.stderr.write(`${API_TOKENS_REVOKE_USAGE}\n`);
    return 2;
  }
  const [id] = args;
  const context = await app();
  if (!(await context.get(ApiTokensService).revoke(id))) {
    io.stderr.write(`No live API token with the id ${id}\n`);
    return 1;
  }
  await context.get(AuditService).record('api_token_revoked', { apiTokenId: id }, operatorClient('api-tokens:revoke'));
  io.stdout.write(`Revoked API token ${id}\n`);
  return 0;
};
