import { availableParallelism } from 'node:os';

/** libuv's own default, which file, DNS and other work on the pool expect to have at least. */
const LIBUV_DEFAULT_THREADS = 4;

/**
 * The size of libuv's thread pool, on which bcrypt hashes. Left at libuv's default of 4 threads, logins
 * would use at most 4 cores of a larger machine; so the pool gets a thread per core, never fewer than the
 * default. An explicit UV_THREADPOOL_SIZE wins.
 */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const configured = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(configured) && configured > 0 ? configured : Math.max(LIBUV_DEFAULT_THREADS, cores);
}
