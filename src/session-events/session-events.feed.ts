import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type ClientConfig } from 'pg';
import { DataSource } from 'typeorm';

import { pgPoolOf } from '../database/pg-pool';
import { EndedSessionEvent, EVENTS_PAGE_SIZE, SessionEventsService } from './session-events.service';

/** The channel the `sessions_publish_end` trigger notifies with each new event's id. */
export const SESSION_EVENTS_CHANNEL = 'session_events';

/** Emitted (EventEmitter2) for the metrics: subscribers joining (+1) and leaving (-1), events sent. */
export const SESSION_FEED_SUBSCRIBERS_CHANGED = 'session-feed.subscribers-changed';
export const SESSION_FEED_EVENTS_SENT = 'session-feed.events-sent';

/** Reconnection back-off of the LISTEN connection: from the first to the longest wait, doubling. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/** Ids of events already fanned out, remembered so a late notification of an older id is sent once. */
const REMEMBERED_IDS = 10_000;

/** Someone streaming the feed: gets every event committed after it subscribed. */
export interface FeedSubscriber {
  deliver(event: EndedSessionEvent): void;
}

/**
 * This instance's end of the revocation feed. One dedicated PostgreSQL connection (not the pool's: a
 * LISTEN holds its connection for good) listens on `session_events`, opened at the first subscriber and
 * reopened with back-off whenever it drops. On a notification, or after a reconnect (which may have
 * missed some), it reads the rows it has not seen and hands them to every subscriber of this instance.
 *
 * Ids come from a sequence, so two sessions ending in concurrent transactions may commit in the other
 * order: the reads also fetch the ids notified, not only the ids above the newest seen, so a row that
 * commits after a higher one is still sent (once; `sentIds`).
 */
@Injectable()
export class SessionEventsFeed implements OnModuleDestroy {
  private readonly logger = new Logger(SessionEventsFeed.name);
  private readonly subscribers = new Set<FeedSubscriber>();
  private readonly connectionConfig: ClientConfig;
  private client?: Client;
  private listening?: Promise<void>;
  private reconnectDelayMs = RECONNECT_FIRST_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The newest id fanned out (or the newest in the table when the LISTEN began). */
  private newestSeenId?: string;
  private readonly notifiedIds = new Set<string>();
  private readonly sentIds = new Set<string>();
  private reading?: Promise<void>;
  private readAgain = false;

  public constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly events: SessionEventsService,
    private readonly emitter: EventEmitter2,
  ) {
    // The pool's own connection settings (DATABASE_URL, or the embedded PostgreSQL's).
    this.connectionConfig = { ...(pgPoolOf(dataSource) as unknown as { options: ClientConfig }).options };
  }

  /**
   * Adds a subscriber once this instance is listening, so that nothing committed after the returned
   * promise resolves is missed.
   */
  public async subscribe(subscriber: FeedSubscriber): Promise<void> {
    this.listening ??= this.listen();
    await this.listening;
    this.subscribers.add(subscriber);
    this.emitter.emit(SESSION_FEED_SUBSCRIBERS_CHANGED, 1);
  }

  public unsubscribe(subscriber: FeedSubscriber): void {
    if (this.subscribers.delete(subscriber)) this.emitter.emit(SESSION_FEED_SUBSCRIBERS_CHANGED, -1);
  }

  public get subscriberCount(): number {
    return this.subscribers.size;
  }

  public async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  /** Connects and LISTENs; the first time, also learns where the table stands. Rejects if it cannot. */
  private async listen(): Promise<void> {
    const client = new Client(this.connectionConfig);
    client.on('notification', (message) => {
      if (message.channel !== SESSION_EVENTS_CHANNEL || !message.payload) return;
      this.notifiedIds.add(message.payload);
      this.readNew();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSION_EVENTS_CHANNEL}`);
    } catch (error) {
      this.listening = undefined;
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.reconnectDelayMs = RECONNECT_FIRST_MS;
    if (this.newestSeenId === undefined) {
      this.newestSeenId = await this.events.newestId();
    } else {
      // Reconnected: notifications sent while it was away are lost, the rows are not.
      this.readNew();
    }
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(`LISTEN connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.listening = this.listen();
      this.listening.catch((error: unknown) => {
        if (this.stopped) return;
        this.logger.warn(`LISTEN reconnection failed: ${error instanceof Error ? error.message : String(error)}`);
        this.scheduleReconnect();
      });
    }, delay);
  }

  /** Reads what is new; one read at a time, with one more after it if anything arrived meanwhile. */
  private readNew(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readUntilDone()
      .catch((error: unknown) => {
        // The rows stay in the table: the next notification or reconnection reads them.
        this.logger.warn(`Reading session events failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain) {
          this.readAgain = false;
          this.readNew();
        }
      });
  }

  private async readUntilDone(): Promise<void> {
    for (;;) {
      const notified = [...this.notifiedIds];
      this.notifiedIds.clear();
      const rows = await this.events.after(this.newestSeenId ?? '0', notified);
      for (const row of rows) this.fanOut(row);
      if (rows.length < EVENTS_PAGE_SIZE) return;
    }
  }

  private fanOut(event: EndedSessionEvent): void {
    if (BigInt(event.id) > BigInt(this.newestSeenId ?? '0')) this.newestSeenId = event.id;
    if (this.sentIds.has(event.id)) return;
    this.sentIds.add(event.id);
    if (this.sentIds.size > REMEMBERED_IDS) this.sentIds.delete(this.sentIds.values().next().value!);
    for (const subscriber of this.subscribers) subscriber.deliver(event);
    if (this.subscribers.size > 0) this.emitter.emit(SESSION_FEED_EVENTS_SENT, this.subscribers.size);
  }
}
