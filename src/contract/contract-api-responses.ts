import { ApiResponseOptions } from '@nestjs/swagger';

import { ContractMessages } from './contract-messages';

/** The OpenAPI description of the 401 every bearer-protected route shares. */
export const BEARER_UNAUTHORIZED_RESPONSE: ApiResponseOptions = {
  description:
    'No `Authorization` header or another scheme: empty body with `WWW-Authenticate: Bearer`. ' +
    'A malformed, forged, expired or revoked token: the JSON string below.',
  schema: { type: 'string', example: ContractMessages.tokenRevoked },
};

/** The OpenAPI description of the 400 every bearer-protected route shares. */
export const REQUEST_UNAVAILABLE_RESPONSE: ApiResponseOptions = {
  description: 'The server cannot process the request (for example, the database is down).',
  schema: { type: 'string', example: ContractMessages.requestUnavailable },
};

/** The `Retry-After` header of a 429, for OpenAPI. */
export const RETRY_AFTER_HEADER = {
  'Retry-After': { description: 'Seconds until the next attempt may succeed.', schema: { type: 'integer' } },
};
