// Imported first by main.ts, before any other module loads: libuv reads UV_THREADPOOL_SIZE only once, when
// something first queues work on its thread pool.
import { threadPoolSize } from './thread-pool-size';

process.env.UV_THREADPOOL_SIZE = String(threadPoolSize());
