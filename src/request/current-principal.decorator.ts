import { createParamDecorator, ExecutionContext } from '@nestjs/common';

import { AuthenticatedPrincipal } from './authenticated-principal';

/** The principal the global bearer guard authenticated for this request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedPrincipal =>
    context.switchToHttp().getRequest<{ user: AuthenticatedPrincipal }>().user,
);
