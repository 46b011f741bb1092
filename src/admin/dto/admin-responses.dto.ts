import { ApiProperty } from '@nestjs/swagger';

import { AUDIT_EVENT_TYPES } from '../../audit/audit-event.entity';

/** Every failure of an admin route but the API token's own 401/403 (which have no body). */
export class AdminErrorResponseDto {
  @ApiProperty({ example: 404 })
  public statusCode!: number;

  @ApiProperty({ example: 'No user named "player123".' })
  public message!: string;
}

export class AdminBanDto {
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When it ends; null for a ban forever.',
    example: '2026-12-31T00:00:00.000Z',
  })
  public until!: string | null;

  @ApiProperty({ example: false })
  public forever!: boolean;

  @ApiProperty({ type: 'string', nullable: true, example: 'cheating in ranked games' })
  public reason!: string | null;
}

export class AdminSessionDto {
  @ApiProperty({ format: 'uuid', example: '7c1e4a2b-9d3f-4b6a-8e5c-0f2d1a3b4c5d' })
  public id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the login opened it.' })
  public createdAt!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Its last refresh; null if none.' })
  public lastRefreshedAt!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: '203.0.113.7' })
  public clientAddress!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'FunGame/1.0' })
  public userAgent!: string | null;
}

export class AdminLockedAddressDto {
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'null for failures without an address.',
    example: '203.0.113.7',
  })
  public address!: string | null;

  @ApiProperty({ format: 'date-time' })
  public lockedUntil!: string;

  @ApiProperty({ description: 'Failed logins of the name from this address since its last success.', example: 5 })
  public failures!: number;
}

export class AdminLockoutDto {
  @ApiProperty({
    description: 'Failed logins of the name from all addresses in the current LOGIN_NAME_WINDOW.',
    example: 7,
  })
  public nameFailures!: number;

  @ApiProperty({ description: 'Whether nameFailures reached LOGIN_NAME_MAX_FAILURES (every failing address waits).' })
  public nameThrottled!: boolean;

  @ApiProperty({ type: [AdminLockedAddressDto], description: 'The addresses the name is locked for now.' })
  public lockedAddresses!: AdminLockedAddressDto[];
}

export class AdminUserResponseDto {
  @ApiProperty({ format: 'uuid' })
  public id!: string;

  @ApiProperty({ example: 'player123' })
  public username!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'user@example.com' })
  public email!: string | null;

  @ApiProperty({ format: 'date-time' })
  public registeredAt!: string;

  @ApiProperty({ type: AdminBanDto, nullable: true, description: 'The ban in force; null when there is none.' })
  public ban!: AdminBanDto | null;

  @ApiProperty({ type: AdminLockoutDto })
  public lockout!: AdminLockoutDto;

  @ApiProperty({ type: [AdminSessionDto], description: 'Live sessions, newest first.' })
  public sessions!: AdminSessionDto[];
}

export class BanResponseDto {
  @ApiProperty({ example: 'player123' })
  public username!: string;

  @ApiProperty({ type: AdminBanDto })
  public ban!: AdminBanDto;

  @ApiProperty({ type: [String], description: 'The ids of the sessions the ban ended.' })
  public sessionsEnded!: string[];
}

export class UnbanResponseDto {
  @ApiProperty({ example: 'player123' })
  public username!: string;

  @ApiProperty({ type: AdminBanDto, nullable: true, description: 'The ban that was in force; null when none was.' })
  public liftedBan!: AdminBanDto | null;
}

export class SessionsEndedResponseDto {
  @ApiProperty({ example: 'player123' })
  public username!: string;

  @ApiProperty({ type: [String], description: 'The ids of the sessions ended (reason `admin_revoked`).' })
  public sessionsEnded!: string[];
}

export class LockoutClearedResponseDto {
  @ApiProperty({ example: 'player123' })
  public username!: string;

  @ApiProperty({ description: 'Addresses whose failure counts of the name were deleted.', example: 1 })
  public addressesCleared!: number;

  @ApiProperty({ description: "The name's failure count over all addresses that was reset.", example: 5 })
  public nameFailuresCleared!: number;
}

export class AuditEventDto {
  @ApiProperty({ example: '1024' })
  public id!: string;

  @ApiProperty({ enum: AUDIT_EVENT_TYPES, example: 'login_succeeded' })
  public event!: string;

  @ApiProperty({ format: 'date-time' })
  public occurredAt!: string;

  @ApiProperty({ type: 'string', nullable: true })
  public username!: string | null;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  public sessionId!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  public clientAddress!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  public userAgent!: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The API token of the request (an admin action, a registration).',
  })
  public apiTokenId!: string | null;
}

export class AuditPageResponseDto {
  @ApiProperty({ example: 'player123' })
  public username!: string;

  @ApiProperty({ type: [AuditEventDto], description: 'Newest first.' })
  public events!: AuditEventDto[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass as `before` for the next (older) page; null on the last page.',
  })
  public nextCursor!: string | null;
}
