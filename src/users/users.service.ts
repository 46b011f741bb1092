import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';

import { UsernameTakenError } from '../contract/contract-errors';
import { User } from './user.entity';

export const USERNAME_MAX_LENGTH = 32;

/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';

/** What other modules may know of a user: never the hash, except through `passwordHashOf`. */
export interface UserProfile {
  id: string;
  username: string;
  registeredAt: Date;
}

export interface UserCredentials {
  id: string;
  username: string;
  passwordHash: string;
}

@Injectable()
export class UsersService {
  public constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * The registered form of a name (NFC), or null when it can never be a username: empty, too long,
   * with control characters, or with leading or trailing white space.
   */
  public static normaliseUsername(raw: string): string | null {
    const username = raw.normalize('NFC');
    const valid =
      username.length > 0 &&
      [...username].length <= USERNAME_MAX_LENGTH &&
      username === username.trim() &&
      !/\p{Cc}/u.test(username);
    return valid ? username : null;
  }

  /**
   * The identity of a name, insensitive to letter case and Unicode normalisation: `Player`, `PLAYER`
   * and `player` are one account, as are `José` composed and decomposed.
   */
  public static usernameKey(username: string): string {
    return username.normalize('NFC').toLowerCase().normalize('NFC');
  }

  public async findCredentials(rawUsername: string): Promise<UserCredentials | null> {
    const username = UsersService.normaliseUsername(rawUsername);
    if (username === null) return null;
    return this.users.findOne({
      select: { id: true, username: true, passwordHash: true },
      where: { usernameKey: UsersService.usernameKey(username) },
    });
  }

  /** @throws UsernameTakenError when the name is taken in any letter case. */
  public async create(username: string, passwordHash: string): Promise<UserProfile> {
    try {
      const user = await this.users.save(
        this.users.create({ username, usernameKey: UsersService.usernameKey(username), passwordHash }),
      );
      return toProfile(user);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new UsernameTakenError();
      }
      throw error;
    }
  }

  public async findProfile(id: string): Promise<UserProfile | null> {
    const user = await this.users.findOneBy({ id });
    return user ? toProfile(user) : null;
  }

  public async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }
}

function toProfile(user: User): UserProfile {
  return { id: user.id, username: user.username, registeredAt: user.createdAt };
}
