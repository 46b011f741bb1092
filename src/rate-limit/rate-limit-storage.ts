import { Logger, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Emitted (through @nestjs/event-emitter) for each request counted in memory because Redis failed. */
export const RATE_LIMIT_FALLBACK = 'rate-limit.fallback';

/**
 * How long a Redis command may take before the request is counted in memory instead. Redis answers
 * in well under a millisecond on a working network; a login should not wait longer than this for a
 * second line of defence.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

/** The rate limit's own Redis client: fails at once while disconnected, and reconnects for good. */
export function createRateLimitRedis(url: string, keyPrefix: string): Redis {
  const redis = new Redis(url, {
    keyPrefix,
    // While disconnected, a command fails at once instead of waiting in a queue for the reconnection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    // Keep trying, at most every 2 s, so that the counters go back to Redis soon after it returns.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  // Each failed reconnection emits an error; the outage is logged once, by RateLimitStorage.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * The per-address rate limit's counters: in Redis when REDIS_URL is set, so that every instance
 * counts together; in this process's memory otherwise, and whenever Redis does not answer.
 *
 * The rate limit is the second line of defence, behind the lockout per account name in PostgreSQL:
 * when Redis is away, login and register go on, counted per instance (an address gets at most the
 * limit times the number of instances), instead of failing for everyone. The fall-back is logged once
 * per outage, each request counted in memory is counted in a metric, and the first request Redis
 * answers again ends the outage.
 */
export class RateLimitStorage implements ThrottlerStorage, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitStorage.name);
  private readonly memory = new ThrottlerStorageService();
  private redisFailing = false;

  public constructor(
    private readonly redis: Redis | undefined,
    private readonly events: EventEmitter2,
    private readonly shared: ThrottlerStorage | undefined = redis && new ThrottlerStorageRedisService(redis),
  ) {}

  /** Whether counters are meant to be shared through Redis (REDIS_URL is set). */
  public get usesRedis(): boolean {
    return this.shared !== undefined;
  }

  public async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.shared) {
      try {
        const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
        if (this.redisFailing) {
          this.redisFailing = false;
          this.logger.log('Redis answers again: the rate-limit counters are shared between instances again');
        }
        return record;
      } catch (error) {
        if (!this.redisFailing) {
          this.redisFailing = true;
          this.logger.warn(
            `Redis does not answer (${error instanceof Error ? error.message : String(error)}): rate-limit ` +
              'counters are kept in this process until it does',
          );
        }
        this.events.emit(RATE_LIMIT_FALLBACK);
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** Whether Redis answers a PING within the command timeout; false at once while disconnected. */
  public async redisAnswers(): Promise<boolean> {
    try {
      return (await this.redis?.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  public onModuleDestroy(): void {
    this.redis?.disconnect();
  }

  public onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }
}
