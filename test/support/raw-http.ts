import { connect } from 'node:net';

import type { HttpResponse } from './http';

/**
 * Sends `head` (request line and header lines, without the blank line that ends them) byte for byte
 * as written, with no body, over a fresh connection: for requests that must look exactly like a
 * documented cURL call, which Node's HTTP client would change (it adds `Connection` and
 * `Transfer-Encoding` headers of its own).
 */
export function rawHttp(baseUrl: string, head: string[]): Promise<HttpResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        const response = parseResponse(received);
        if (!response) return;
        socket.destroy();
        resolve(response);
      } catch (error) {
        socket.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on('close', () => reject(new Error(`connection closed before a whole response: ${received.toString()}`)));
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
  });
}

/** The response once all of it (head and `Content-Length` bytes of body) has arrived, else undefined. */
function parseResponse(received: Buffer): HttpResponse | undefined {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...headerLines] = received.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (headers['transfer-encoding']) throw new Error('rawHttp reads Content-Length bodies only');
  const body = received.subarray(headEnd + 4);
  if (body.length < Number(headers['content-length'] ?? 0)) return undefined;
  const text = body.toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, text, json: text ? JSON.parse(text) : undefined };
}

export interface TrickleOutcome {
  /** The status of the response the server sent before closing, or undefined if it sent none. */
  status: number | undefined;
  /** Milliseconds from connecting to the server closing the connection. */
  closedAfterMs: number;
  /** Bytes of the trickled part written before the server closed the connection. */
  bytesSent: number;
}

/**
 * Over a fresh connection, writes `sent` at once, then `trickled` one byte every `intervalMs`, as a slow
 * (or hostile) client on a bad network would, until the server closes the connection or
 * `giveUpAfterMs` passes; then reports what the server did. A connection still open at
 * `giveUpAfterMs` is closed by this client and reported with `closedAfterMs: Infinity`.
 */
export function trickle(
  baseUrl: string,
  { sent = '', trickled }: { sent?: string; trickled: string },
  { intervalMs, giveUpAfterMs }: { intervalMs: number; giveUpAfterMs: number },
): Promise<TrickleOutcome> {
  const { hostname, port } = new URL(baseUrl);
  const bytes = Buffer.from(trickled);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let received = '';
    let bytesSent = 0;
    socket.write(sent);
    let gaveUp = false;
    const writer = setInterval(() => {
      if (bytesSent < bytes.length && socket.writable) socket.write(bytes.subarray(bytesSent, ++bytesSent));
    }, intervalMs);
    const giveUp = setTimeout(() => {
      gaveUp = true;
      socket.destroy();
    }, giveUpAfterMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // The server resetting the connection after its answer is a close as well.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(writer);
      clearTimeout(giveUp);
      const statusLine = /^HTTP\/1\.1 (\d{3}) /.exec(received);
      resolve({
        status: statusLine ? Number(statusLine[1]) : undefined,
        closedAfterMs: gaveUp ? Infinity : Date.now() - started,
        bytesSent,
      });
    });
  });
}

/**
 * Sends one keep-alive request over a fresh connection, reads its response, then sends nothing more:
 * resolves with the status and the milliseconds from the response to the server closing the idle
 * connection (Infinity if it is still open at `giveUpAfterMs`, when this client closes it).
 */
export function idleAfterResponse(
  baseUrl: string,
  head: string[],
  giveUpAfterMs: number,
): Promise<{ status: number | undefined; closedAfterMs: number }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let answeredAt: number | undefined;
    let status: number | undefined;
    let gaveUp = false;
    const giveUp = setTimeout(() => {
      gaveUp = true;
      socket.destroy();
    }, giveUpAfterMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = answeredAt === undefined ? parseResponse(received) : undefined;
      if (response) {
        answeredAt = Date.now();
        status = response.status;
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ status, closedAfterMs: gaveUp || answeredAt === undefined ? Infinity : Date.now() - answeredAt });
    });
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
  });
}
