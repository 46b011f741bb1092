import { Module } from '@nestjs/common';

import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { LoginLockoutModule } from '../login-lockout/login-lockout.module';
import { MailModule } from '../mail/mail.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationCodesModule } from '../verification-codes/verification-codes.module';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';

@Module({
  controllers: [RegistrationController],
  exports: [RegistrationService],
  imports: [
    AuditModule,
    AuthModule,
    LoginLockoutModule,
    MailModule,
    SessionsModule,
    UsersModule,
    VerificationCodesModule,
  ],
  providers: [RegistrationService],
})
export class RegistrationModule {}
