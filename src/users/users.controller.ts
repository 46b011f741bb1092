import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { PlayerRoute } from '../contract/route-kinds.decorator';
import type { AuthenticatedPrincipal } from '../request/authenticated-principal';
import { CurrentPrincipal } from '../request/current-principal.decorator';
import { UserProfileResponseDto } from './dto/user-profile-response.dto';

@ApiTags('user')
@Controller('user')
export class UsersController {
  @Get('me')
  @PlayerRoute()
  @ApiOperation({ summary: "The caller's public profile" })
  @ApiOkResponse({ type: UserProfileResponseDto })
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
