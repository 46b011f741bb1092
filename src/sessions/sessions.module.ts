import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { Session } from './session.entity';
import { SessionStateLoader } from './session-state.loader';
import { SessionsService } from './sessions.service';

@Module({
  exports: [SessionsService],
  imports: [TypeOrmModule.forFeature([Session])],
  providers: [SessionStateLoader, SessionsService],
})
export class SessionsModule {}
