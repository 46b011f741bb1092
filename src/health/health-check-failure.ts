import { HttpStatus, ServiceUnavailableException } from '@nestjs/common';

import { errorResponse } from '../contract/contract-error-responses';

/**
 * The readiness check's own failure (terminus throws it with its result): 503 with which dependency is
 * down, for load balancers, without the driver's error text (it names databases and hosts).
 */
export const HEALTH_CHECK_FAILURE = errorResponse(ServiceUnavailableException, {
  status: HttpStatus.SERVICE_UNAVAILABLE,
  body: (error) => withoutIndicatorMessages(error.getResponse()),
});

/** A terminus health result with each indicator reduced to its `status`. */
function withoutIndicatorMessages(response: string | object): unknown {
  if (typeof response !== 'object') return response;
  const statusOnly = (indicators: unknown): Record<string, { status: unknown }> =>
    Object.fromEntries(
      Object.entries((indicators ?? {}) as Record<string, { status?: unknown }>).map(([name, result]) => [
        name,
        { status: result?.status },
      ]),
    );
  const { status, info, error, details } = response as Record<string, unknown>;
  return { status, info: statusOnly(info), error: statusOnly(error), details: statusOnly(details) };
}
