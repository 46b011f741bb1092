import { applyDecorators, HttpCode, HttpStatus, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';

import { ApiTokenScope } from '../api-tokens/decorators/api-token-scope.decorator';
import { RETRY_AFTER_HEADER } from '../contract/contract-api-responses';
import { ThrottlingMessages } from '../contract/contract-messages';
import { ContractRoute } from '../contract/contract-route.decorator';
import { RegistrationThrottledResponseDto } from './dto/registration-responses.dto';

/**
 * `/user/register`, `/user/findpassword`, `/user/resetpassword`: an API token with the `register` scope
 * (unless REGISTRATION_REQUIRES_API_TOKEN is off), limited per address, 200 for every outcome, and the
 * route's own PayloadModel 429 (`tooManyRequests` words it where the route has more than the rate limit).
 */
export const RegistrationRoute = (
  kind: 'register' | 'findPassword' | 'resetPassword',
  tooManyRequests = `Too many requests from this address: "${ThrottlingMessages.tooManyRequests}"`,
): MethodDecorator =>
  applyDecorators(
    ApiTokenScope('register'),
    UseGuards(ThrottlerGuard),
    ContractRoute(kind),
    HttpCode(HttpStatus.OK),
    ApiTooManyRequestsResponse({
      type: RegistrationThrottledResponseDto,
      description: tooManyRequests,
      headers: RETRY_AFTER_HEADER,
    }),
  );
