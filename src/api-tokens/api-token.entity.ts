import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

import type { ApiTokenScopeName } from './api-token-scopes';

/**
 * A secret an operator issues to a program (a game client's registration page, a game server), not to
 * a player. Only a SHA-256 hash of its secret is stored: the secret itself is shown once, at creation.
 */
@Entity({ name: 'api_tokens' })
export class ApiToken {
  /** Chosen by the operator, e.g. `fungame_web_api` (FunGame's default TokenID). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  public id!: string;

  @Column({ name: 'secret_hash', type: 'bytea', select: false })
  public secretHash!: Buffer;

  @Column({ type: 'varchar', length: 32, array: true })
  public scopes!: ApiTokenScopeName[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  public createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  public lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  public revokedAt!: Date | null;
}
