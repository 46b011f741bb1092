import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { IntrospectionController } from './introspection.controller';
import { IntrospectionService } from './introspection.service';

/** `POST /oauth/introspect`: game servers ask whether a player's token is good. */
@Module({
  controllers: [IntrospectionController],
  imports: [AuthModule],
  providers: [IntrospectionService],
})
export class IntrospectionModule {}
