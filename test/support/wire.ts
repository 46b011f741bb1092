import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface WireRequest {
  method: string;
  /** Sent exactly as given: neither resolved nor normalised, as `new URL` would. */
  path: string;
  headers?: Record<string, string>;
  /** Sent with a Content-Length, or in 1 KB chunks without one when `chunked` is set. */
  body?: Buffer | string;
  chunked?: boolean;
  /** Fail rather than wait longer than this for the response. */
  timeoutMs?: number;
}

export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8. */
  text: string;
}

/**
 * One request on a connection of its own (no keep-alive), so that a response after which the server
 * closes the connection (a 413, a parser error) cannot disturb the next request.
 */
export function sendOnce(baseUrl: string, request: WireRequest): Promise<WireResponse> {
  const { hostname, port } = new URL(baseUrl);
  const headers: Record<string, string> = { ...request.headers };
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
  if (body && request.chunked) headers['transfer-encoding'] = 'chunked';
  else if (body) headers['content-length'] = String(body.length);

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, method: request.method, path: request.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (request.timeoutMs !== undefined) {
      req.setTimeout(request.timeoutMs, () => req.destroy(new Error(`no response within ${request.timeoutMs} ms`)));
    }
    if (body && request.chunked) {
      for (let offset = 0; offset < body.length; offset += 1024) req.write(body.subarray(offset, offset + 1024));
    } else if (body) {
      req.write(body);
    }
    req.end();
  });
}

/**
 * Writes `bytes` as they are to a new connection and reads the response until the server closes it:
 * for header bytes that Node's HTTP client refuses to send (UTF-8 in a header value). The request must
 * carry `Connection: close`. The connection is not half-closed first: Node's HTTP server drops the
 * requests of a client that ends its side before the response.
 */
export function sendRawBytes(baseUrl: string, bytes: Buffer): Promise<WireResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      if (raw.includes('\r\n\r\n')) resolve(parseResponse(raw));
      else reject(new Error(`no HTTP response: ${JSON.stringify(raw.toString('latin1'))}`));
    });
  });
}

function parseResponse(raw: Buffer): WireResponse {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = raw.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(headerEnd + 4);
  if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(statusLine.split(' ')[1]), headers, text: body.toString('utf8') };
}
