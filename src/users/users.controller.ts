import { Controller, Get } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import { BEARER_UNAUTHORIZED_RESPONSE, REQUEST_UNAVAILABLE_RESPONSE } from '../contract/contract-api-responses';
import { InvalidBearerTokenError } from '../contract/contract-errors';
import { UserProfileResponseDto } from './dto/user-profile-response.dto';
import { UsersService } from './users.service';

@ApiTags('user')
@ApiBearerAuth()
@Controller('user')
export class UsersController {
  public constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: "The caller's public profile" })
  @ApiOkResponse({ type: UserProfileResponseDto })
  @ApiUnauthorizedResponse(BEARER_UNAUTHORIZED_RESPONSE)
  @ApiBadRequestResponse(REQUEST_UNAVAILABLE_RESPONSE)
  public async me(@CurrentPrincipal() principal: AuthenticatedPrincipal): Promise<UserProfileResponseDto> {
    const profile = await this.users.findProfile(principal.userId);
    // The session's live check passed, and sessions are deleted with their user: only a race gets here.
    if (!profile) throw new InvalidBearerTokenError();
    return { Id: profile.id, Username: profile.username, RegisteredAt: profile.registeredAt.toISOString() };
  }
}
