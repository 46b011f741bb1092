import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

import { RATE_LIMIT_FALLBACK, RateLimitStorage } from './rate-limit-storage';

const SHARED_RECORD = { totalHits: 7, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };

describe('RateLimitStorage', () => {
  let redisAnswers: boolean;
  let shared: ThrottlerStorage;
  let events: EventEmitter2;
  let fallbacks: number;
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  let storage: RateLimitStorage;

  const increment = () => storage.increment('address', 60_000, 3, 60_000, 'default');

  beforeEach(() => {
    redisAnswers = true;
    // Redis is the process boundary: a stand-in that answers, or fails as ioredis does while disconnected.
    shared = {
      increment: jest.fn(() =>
        redisAnswers
          ? Promise.resolve(SHARED_RECORD)
          : Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
      ),
    };
    const redis = {
      ping: jest.fn(() => (redisAnswers ? Promise.resolve('PONG') : Promise.reject(new Error('closed')))),
      disconnect: jest.fn(),
    } as unknown as Redis;
    events = new EventEmitter2();
    fallbacks = 0;
    events.on(RATE_LIMIT_FALLBACK, () => fallbacks++);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    storage = new RateLimitStorage(redis, events, shared);
  });

  afterEach(() => {
    storage.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('counts in Redis while it answers', async () => {
    expect(await increment()).toEqual(SHARED_RECORD);
    expect({ fallbacks, warnings: warn.mock.calls.length, redis: await storage.redisAnswers() }).toEqual({
      fallbacks: 0,
      warnings: 0,
      redis: true,
    });
  });

  it('counts in memory while Redis fails, up to the limit and then blocked, logging the outage once', async () => {
    redisAnswers = false;
    const records = [];
    for (let attempt = 0; attempt < 4; attempt++) records.push(await increment());
    expect(records.map(({ totalHits, isBlocked }) => ({ totalHits, isBlocked }))).toEqual([
      { totalHits: 1, isBlocked: false },
      { totalHits: 2, isBlocked: false },
      { totalHits: 3, isBlocked: false },
      { totalHits: 4, isBlocked: true },
    ]);
    expect(fallbacks).toBe(4);
    expect(warn.mock.calls).toEqual([
      [
        "Redis does not answer (Stream isn't writeable and enableOfflineQueue options is false): rate-limit " +
          'counters are kept in this process until it does',
      ],
    ]);
    expect(await storage.redisAnswers()).toBe(false);
  });

  it('goes back to Redis once it answers, logging that once, and logs the next outage again', async () => {
    redisAnswers = false;
    await increment();
    redisAnswers = true;
    expect(await increment()).toEqual(SHARED_RECORD);
    expect(await increment()).toEqual(SHARED_RECORD);
    expect(log.mock.calls).toEqual([
      ['Redis answers again: the rate-limit counters are shared between instances again'],
    ]);
    redisAnswers = false;
    await increment();
    expect({ fallbacks, warnings: warn.mock.calls.length }).toEqual({ fallbacks: 2, warnings: 2 });
  });

  it('counts in memory, without a word, when no Redis is configured', async () => {
    const inMemory = new RateLimitStorage(undefined, events);
    expect((await inMemory.increment('address', 60_000, 3, 60_000, 'default')).totalHits).toBe(1);
    expect({ usesRedis: inMemory.usesRedis, fallbacks, warnings: warn.mock.calls.length }).toEqual({
      usesRedis: false,
      fallbacks: 0,
      warnings: 0,
    });
    inMemory.onApplicationShutdown();
  });
});
