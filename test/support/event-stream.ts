import { ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';

/** One Server-Sent Event as a client parses it (only the fields that were sent). */
export interface StreamEvent {
  id?: string;
  event?: string;
  data?: string;
}

/**
 * A `text/event-stream` response read as it arrives, parsed by the SSE rules (blank line ends an event,
 * `:` starts a comment), over a real HTTP connection. Refused requests resolve too, with their body.
 */
export class EventStream {
  public readonly events: StreamEvent[] = [];
  public readonly comments: string[] = [];
  public text = '';
  private buffer = '';
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(
    private readonly request: ClientRequest,
    public readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.text += chunk;
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        this.parseBlock(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
      }
      this.wake();
    });
    response.on('end', () => {
      this.ended = true;
      this.wake();
    });
    response.on('error', () => undefined);
  }

  public static open(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(new URL(path, baseUrl), { headers: { accept: 'text/event-stream', ...headers } });
      request.on('response', (response) => resolve(new EventStream(request, response)));
      request.on('error', reject);
      request.end();
    });
  }

  public get status(): number {
    return this.response.statusCode ?? 0;
  }

  public get closed(): boolean {
    return this.ended;
  }

  /** Resolves once `count` events have arrived in all (rejects after `timeoutMs`). */
  public async eventCount(count: number, timeoutMs = 5_000): Promise<StreamEvent[]> {
    await this.until(() => this.events.length >= count, timeoutMs, `${count} events`);
    return this.events.slice(0, count);
  }

  /** Resolves with the first event that `matches`, waiting for it if need be. */
  public async eventMatching(matches: (event: StreamEvent) => boolean, timeoutMs = 5_000): Promise<StreamEvent> {
    await this.until(() => this.events.some(matches), timeoutMs, 'a matching event');
    return this.events.find(matches)!;
  }

  public async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.ended) throw new Error(`the stream ended before ${what}: ${JSON.stringify(this.text)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms: ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves when the server ends the response. */
  public async end(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`the stream did not end within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  public close(): void {
    this.request.destroy();
  }

  private parseBlock(block: string): void {
    const event: StreamEvent = {};
    let fields = 0;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'id' || name === 'event' || name === 'data') {
        event[name] = name === 'data' && event.data !== undefined ? `${event.data}\n${value}` : value;
        fields++;
      }
    }
    if (fields > 0) this.events.push(event);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}
