import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';

import { httpServerTimeouts } from '../config/app.config';
import { InvalidGameServerRequestError } from '../contract/contract-errors';
import { FeedSubscriber, SessionEventsFeed } from './session-events.feed';
import { EndedSessionEvent, EVENTS_PAGE_SIZE, SessionEventsService } from './session-events.service';

/** A comment line every this often, so proxies and load balancers keep an idle stream open. */
export const HEARTBEAT_MAX_MS = 15_000;

/** The `retry:` the stream asks EventSource clients to wait before reconnecting. */
const RETRY_MS = 1_000;

const EVENT_ID_PATTERN = /^\d{1,18}$/;

/**
 * The open `GET /sessions/events` streams of this instance. Each is a Server-Sent Events response written
 * straight to the socket (Fastify's reply hijacked): events as `id`/`event`/`data` blocks, comments as
 * heartbeats, which Nest's `@Sse()` (events only) cannot send.
 */
@Injectable()
export class SessionEventStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly heartbeatMs: number;

  public constructor(
    private readonly feed: SessionEventsFeed,
    private readonly events: SessionEventsService,
  ) {
    // HTTP_CONNECTION_TIMEOUT closes a connection silent that long: beat at least twice within it.
    this.heartbeatMs = Math.min(HEARTBEAT_MAX_MS, Math.floor(httpServerTimeouts().connectionTimeoutMs / 2));
  }

  /**
   * Streams the feed to `reply`: first, when `resumeAfter` is an event id, what came after it (or a
   * `resync` event when it is no longer kept), then every event as it is committed, on any instance.
   * @throws InvalidGameServerRequestError for a resume id that is not an event id; the database's error
   *   when it cannot listen or look the id up (before anything is sent, so the filter answers it)
   */
  public async stream(reply: FastifyReply, resumeAfter: string | undefined): Promise<void> {
    if (resumeAfter !== undefined && !EVENT_ID_PATTERN.test(resumeAfter)) {
      throw new InvalidGameServerRequestError('Last-Event-ID and since must be an event id: digits only.');
    }
    const pending: EndedSessionEvent[] = [];
    let live = false;
    let sentUpTo = 0n;
    const response = reply.raw;
    const subscriber: FeedSubscriber = {
      deliver: (event) => {
        if (!live) pending.push(event);
        else send(event);
      },
    };
    const send = (event: EndedSessionEvent): void => {
      const { id, ...data } = event;
      response.write(`id: ${id}\nevent: session_ended\ndata: ${JSON.stringify(data)}\n\n`);
      if (BigInt(id) > sentUpTo) sentUpTo = BigInt(id);
    };

    // Subscribed before the replay is read: an event committed meanwhile waits in `pending`.
    await this.feed.subscribe(subscriber);
    let resync: string | null = null;
    try {
      if (resumeAfter !== undefined && resumeAfter !== '0' && !(await this.events.exists(resumeAfter))) {
        resync = await this.events.newestId();
      }
    } catch (error) {
      this.feed.unsubscribe(subscriber);
      throw error;
    }

    reply.hijack();
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${RETRY_MS}\n: connected\n\n`);
    this.open.add(response);
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), this.heartbeatMs);
    response.on('close', () => {
      clearInterval(heartbeat);
      this.feed.unsubscribe(subscriber);
      this.open.delete(response);
    });

    try {
      if (resync !== null) {
        // Its id is the newest event's: a client reconnecting after this resumes from here.
        response.write(`id: ${resync}\nevent: resync\ndata: {"reason":"events_expired"}\n\n`);
        sentUpTo = BigInt(resync);
      } else if (resumeAfter !== undefined) {
        let after = resumeAfter;
        for (;;) {
          const page = await this.events.after(after);
          page.forEach(send);
          if (page.length < EVENTS_PAGE_SIZE) break;
          after = page[page.length - 1].id;
        }
      }
    } catch {
      // The client reconnects with the last id it got, and the replay goes on from there.
      response.end();
      return;
    }
    live = true;
    for (const event of pending) {
      if (resync !== null || BigInt(event.id) > sentUpTo || resumeAfter === undefined) send(event);
    }
  }

  /** Ends every stream: at shutdown, so the server's drain does not wait for them (clients reconnect). */
  public closeAll(): void {
    for (const response of this.open) response.end();
  }
}
