// Imported first by main.ts, before any other module loads: libuv reads UV_THREADPOOL_SIZE only once, when
// something first queues work on its thread pool (bcrypt's hashes run there).
import { availableParallelism } from 'node:os';

/**
 * The size of libuv's thread pool, on which bcrypt hashes: one thread per core, unless UV_THREADPOOL_SIZE
 * says otherwise. libuv's own default of 4 would leave the cores past the fourth idle during a login storm,
 * and bcrypt is CPU-bound, so threads beyond the cores only add latency (README, Performance).
 */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const configured = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(configured) && configured > 0 ? configured : cores;
}

process.env.UV_THREADPOOL_SIZE = String(threadPoolSize());
