import { applyDecorators, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';

export const ACCEPTS_REPLACED_TOKEN_KEY = 'acceptsReplacedToken';

/**
 * Lets a token that a refresh has already replaced (its session still live) reach the handler, which
 * must then decide: the refresh grace window, or reuse detection. Every other route refuses such a token.
 * Also set in the route's Fastify config, where the JWT strategy reads it: such a route replaces the
 * token rather than using it, so its lookup does not record the token's use.
 */
export const AcceptsReplacedToken = (): MethodDecorator =>
  applyDecorators(SetMetadata(ACCEPTS_REPLACED_TOKEN_KEY, true), RouteConfig({ [ACCEPTS_REPLACED_TOKEN_KEY]: true }));
