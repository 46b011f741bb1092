import { applyDecorators, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiServiceUnavailableResponse } from '@nestjs/swagger';

import { ApiTokenScope } from '../api-tokens/decorators/api-token-scope.decorator';
import { ContractRoute } from '../contract/contract-route.decorator';
import { AdminErrorResponseDto } from './dto/admin-responses.dto';

/**
 * An operator's route (`/admin`): an API token with the `admin` scope (a player's bearer token is none:
 * 401; a token without the scope: 403), 200, and every other failure as `{"statusCode","message"}`.
 */
export const AdminRoute = (): MethodDecorator =>
  applyDecorators(
    ApiTokenScope('admin'),
    ContractRoute('admin'),
    HttpCode(HttpStatus.OK),
    // Registered before the route's own models, as the controller-level response it replaces was: the
    // OpenAPI document's schemas keep their order.
    ApiExtraModels(AdminErrorResponseDto),
    ApiServiceUnavailableResponse({
      type: AdminErrorResponseDto,
      description: 'An internal failure (the database down): `{"statusCode":503,"message":…}`; retry.',
    }),
  );
