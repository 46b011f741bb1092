import type { FastifyRequest } from 'fastify';

import { ClientInfo } from '../sessions/sessions.service';

/** Where a request came from, as sessions and the audit trail record it. */
export function clientInfoOf(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { address: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null };
}
