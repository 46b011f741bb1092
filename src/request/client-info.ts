import type { FastifyRequest } from 'fastify';

/**
 * Where a request (or an operator's command) came from, as sessions and the audit trail record it.
 * Declared here, not in sessions/, so that request/ and audit/ depend on no feature for it.
 */
export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

/** Where a request came from, as sessions and the audit trail record it. */
export function clientInfoOf(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { address: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null };
}
