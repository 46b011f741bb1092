import { Controller, Get } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

import type { AuthenticatedPrincipal } from '../request/authenticated-principal';
import { CurrentPrincipal } from '../request/current-principal.decorator';
import { BEARER_UNAUTHORIZED_RESPONSE, REQUEST_UNAVAILABLE_RESPONSE } from '../contract/contract-api-responses';
import { UserProfileResponseDto } from './dto/user-profile-response.dto';

@ApiTags('user')
@ApiBearerAuth()
@Controller('user')
export class UsersController {
  @Get('me')
  @ApiOperation({ summary: "The caller's public profile" })
  @ApiOkResponse({ type: UserProfileResponseDto })
  @ApiUnauthorizedResponse(BEARER_UNAUTHORIZED_RESPONSE)
  @ApiBadRequestResponse(REQUEST_UNAVAILABLE_RESPONSE)
  public me(@CurrentPrincipal() principal: AuthenticatedPrincipal): UserProfileResponseDto {
    // The bearer guard read the profile with the session, in this request: nothing to query again.
    return {
      Id: principal.userId,
      Username: principal.username,
      Email: principal.email,
      RegisteredAt: principal.registeredAt.toISOString(),
    };
  }
}
