import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuditModule } from '../audit/audit.module';
import { ApiToken } from './api-token.entity';
import { ApiTokensService } from './api-tokens.service';
import { DefaultApiTokenService } from './default-api-token.service';
import { ApiTokenGuard } from './guards/api-token.guard';

@Module({
  exports: [ApiTokensService],
  imports: [AuditModule, TypeOrmModule.forFeature([ApiToken])],
  providers: [{ provide: APP_GUARD, useClass: ApiTokenGuard }, ApiTokensService, DefaultApiTokenService],
})
export class ApiTokensModule {}
