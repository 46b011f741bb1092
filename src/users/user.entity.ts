import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  public id!: string;

  /** As the player registered it, NFC-normalised. */
  @Column({ type: 'varchar', length: 64 })
  public username!: string;

  /** The name folded for comparison (NFC, lower case): unique, so `Player` and `player` are one account. */
  @Column({ name: 'username_key', type: 'varchar', length: 128, unique: true })
  public usernameKey!: string;

  /** bcrypt; never leaves this module. */
  @Column({ name: 'password_hash', type: 'varchar', length: 60 })
  public passwordHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  public createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  public updatedAt!: Date;
}
