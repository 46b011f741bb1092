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
