import { SetMetadata } from '@nestjs/common';

export const ACCEPTS_REPLACED_TOKEN_KEY = 'acceptsReplacedToken';

/**
 * Lets a token that a refresh has already replaced (its session still live) reach the handler, which
 * must then decide: the refresh grace window, or reuse detection. Every other route refuses such a token.
 */
export const AcceptsReplacedToken = (): MethodDecorator => SetMetadata(ACCEPTS_REPLACED_TOKEN_KEY, true);
