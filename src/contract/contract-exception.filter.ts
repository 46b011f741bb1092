import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { CONTRACT_ERROR_RESPONSES, ErrorResponse, WireResponse } from './contract-error-responses';
import { ContractError } from './contract-errors';
import { CONTRACT_ROUTE_KEY, ContractRouteKind } from './contract-route.decorator';
import { ROUTE_FAILURE_BODIES, RouteFailureBodies } from './contract-route-failures';

/**
 * The one place where failures become wire responses (`shared/spec/CONTRACT.md`): the error's entry in
 * `CONTRACT_ERROR_RESPONSES` (or in `featureResponses`, the answers other features own, such as the
 * readiness check's), with the route kind's bodies of `ROUTE_FAILURE_BODIES`. Everything else is an
 * internal failure: logged here, and answered with the route's body for it, so no stack trace, SQL or
 * library message ever reaches a client.
 */
@Catch()
export class ContractExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ContractExceptionFilter.name);
  private readonly responses: readonly ErrorResponse[];

  public constructor(featureResponses: readonly ErrorResponse[] = []) {
    this.responses = [...CONTRACT_ERROR_RESPONSES, ...featureResponses];
  }

  public catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const routeKind = (request.routeOptions?.config as unknown as Record<string, unknown> | undefined)?.[
      CONTRACT_ROUTE_KEY
    ] as ContractRouteKind | undefined;
    const response = this.toWireResponse(exception, ROUTE_FAILURE_BODIES[routeKind ?? 'bearer']);

    if (!(exception instanceof ContractError) && clientErrorStatus(exception) === undefined) {
      this.logInternalFailure(exception, request);
    }

    reply.status(response.status);
    for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
    if (response.body === undefined) {
      reply.send();
    } else {
      reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(response.body));
    }
  }

  private toWireResponse(exception: unknown, route: RouteFailureBodies): WireResponse {
    const known = this.responses.find((response) => exception instanceof response.type);
    if (known !== undefined) return known.respond(exception, route);
    const clientStatus = clientErrorStatus(exception);
    if (clientStatus !== undefined) return { status: clientStatus, body: route.cannotProcess(clientStatus) };
    return (
      route.internalFailure ?? {
        status: HttpStatus.BAD_REQUEST,
        body: route.cannotProcess(HttpStatus.BAD_REQUEST),
      }
    );
  }

  private logInternalFailure(exception: unknown, request: FastifyRequest): void {
    const route = request.routeOptions?.url ?? 'unmatched route';
    if (exception instanceof Error) {
      this.logger.error(`${request.method} ${route} failed: ${exception.name}: ${exception.message}`, exception.stack);
    } else {
      this.logger.error(`${request.method} ${route} failed with a non-error value`);
    }
  }
}

/**
 * 4xx raised below the controllers (Fastify's body limit, an unsupported method): keep the status,
 * answer with the route's body.
 */
function clientErrorStatus(exception: unknown): number | undefined {
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
