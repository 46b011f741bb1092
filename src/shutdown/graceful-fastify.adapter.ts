import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';

/**
 * The Fastify adapter, with a shutdown (SIGTERM) that drains HTTP before anything else:
 *
 * - The server stops accepting and finishes its requests first thing, while every resource they use
 *   is still there. Nest would close it only after the modules' destroy hooks, some of which release
 *   those resources (the Redis client of the rate limit disconnects in one), and keep accepting
 *   requests meanwhile.
 * - Closing the server closes the keep-alive connections idle at that moment; one still answering
 *   would otherwise stay open after its response until the keep-alive timeout (HTTP_KEEP_ALIVE_TIMEOUT),
 *   after the process should have exited. So from then on every response says `Connection: close` (Node.js ends
 *   the connection after it, and the client sends nothing more on it), and a connection that went
 *   idle since is closed as well.
 * - A request that still arrives on an open connection (pipelined behind a response) is served, with
 *   `Connection: close`, instead of Fastify's 503: the database pool closes only after it.
 *
 * The pool, and the embedded PostgreSQL, are closed by their modules' shutdown hooks afterwards.
 */
export class GracefulFastifyAdapter extends FastifyAdapter {
  public constructor(options: FastifyHttpOptions<Server> & { skipMiddie?: boolean }) {
    // The `preClose`, `onSend` and `onResponse` parts are in the service's hooks (src/app.hooks.ts).
    super({ ...options, return503OnClosing: false });
  }

  /** Called by Nest as the shutdown begins, before any module's hook; Nest awaits what it returns. */
  // FastifyAdapter declares it `void`; Nest's HttpServer contract allows (and awaits) a promise.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  public override async beforeClose(): Promise<void> {
    super.beforeClose();
    // Nest closes the adapter again after the hooks; a second close of Fastify does nothing.
    await this.close();
  }
}
