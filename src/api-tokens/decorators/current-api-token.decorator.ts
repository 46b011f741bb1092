import { createParamDecorator, ExecutionContext } from '@nestjs/common';

import type { AuthenticatedApiToken } from '../authenticated-api-token';

/** The API token the request was let in with; null where the operator waived the token for the scope. */
export const CurrentApiToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedApiToken | null =>
    context.switchToHttp().getRequest<{ apiToken?: AuthenticatedApiToken }>().apiToken ?? null,
);
