import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { Writable } from 'node:stream';

import { RequestLog } from './request-log';

describe('RequestLog.runInContext', () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  // nestjs-pino's logger, as Nest's own `Logger` reaches it: it logs through the context's logger.
  const logger = new PinoLogger({ pinoHttp: [{ level: 'info' }, stream] });
  const requestLog = new RequestLog(PinoLogger.root);
  const request = { id: 'req-1' } as FastifyRequest;

  beforeEach(() => (lines.length = 0));

  it("gives what the service logs while handling the request the request's id", async () => {
    await new Promise<void>((resolve) =>
      requestLog.runInContext(request, () => {
        // Across an await, as in a route's handler.
        void Promise.resolve().then(() => {
          logger.info('inside');
          resolve();
        });
      }),
    );
    logger.info('outside');
    expect(lines.map(({ msg, reqId }) => ({ msg, reqId }))).toEqual([
      { msg: 'inside', reqId: 'req-1' },
      { msg: 'outside', reqId: undefined },
    ]);
  });

  it('builds no child logger for a request that logs nothing', () => {
    const child = jest.spyOn(PinoLogger.root, 'child');
    try {
      requestLog.runInContext(request, () => undefined);
      expect(child).not.toHaveBeenCalled();
    } finally {
      child.mockRestore();
    }
  });

  it("keeps what PinoLogger.assign adds to the request's logger", () => {
    requestLog.runInContext(request, () => {
      logger.assign({ userId: 7 });
      logger.info('assigned');
    });
    expect(lines).toEqual([expect.objectContaining({ msg: 'assigned', reqId: 'req-1', userId: 7 })]);
  });
});
