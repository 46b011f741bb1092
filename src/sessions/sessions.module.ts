import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { Session } from './session.entity';
import { SessionsService } from './sessions.service';

@Module({
  exports: [SessionsService],
  imports: [TypeOrmModule.forFeature([Session])],
  providers: [SessionsService],
})
export class SessionsModule {}
