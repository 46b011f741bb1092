import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { AUDIT_EVENT_RECORDED, type AuditEventRecorded } from '../audit/audit-event-recorded';
import { TOKEN_INTROSPECTED, type TokenIntrospected } from '../introspection/introspection.service';
import { RATE_LIMIT_FALLBACK } from '../rate-limit/rate-limit-storage';
import { SESSION_FEED_EVENTS_SENT, SESSION_FEED_SUBSCRIBERS_CHANGED } from '../session-events/session-events.feed';
import { SessionsMaintenanceService } from '../sessions/sessions-maintenance.service';

type LoginOutcome = 'success' | 'failure' | 'locked';
const LOGIN_OUTCOMES: readonly LoginOutcome[] = ['success', 'failure', 'locked'];

const BAN_ACTIONS = ['ban', 'unban'] as const;

/**
 * The audit events that record an operator's action on a player, and the action label each counts as.
 * One per action: ending sessions counts once, not once per session.
 */
const ADMIN_ACTIONS = {
  user_banned: 'ban',
  user_unbanned: 'unban',
  admin_user_viewed: 'view_user',
  admin_audit_viewed: 'view_audit',
  admin_sessions_ended: 'end_sessions',
  session_admin_revoked: 'end_session',
  admin_lockout_cleared: 'clear_lockout',
} as const;

/**
 * The service's Prometheus metrics, in a registry of this application's own (not prom-client's global
 * one), so that two instances in one process (the e2e tests) do not collide.
 */
@Injectable()
export class MetricsService {
  public readonly registry = new Registry();
  private readonly logger = new Logger(MetricsService.name);

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly logins = new Counter({
    name: 'fungame_auth_logins_total',
    help:
      'Audited login events: success (a session opened), failure (wrong credentials, or refused while the ' +
      'name is locked), locked (a failure that locked the account name; it also counts as a failure).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly registrations = new Counter({
    name: 'fungame_auth_registrations_total',
    help: 'Accounts created.',
    registers: [this.registry],
  });

  private readonly refreshes = new Counter({
    name: 'fungame_auth_token_refreshes_total',
    help: 'Bearer tokens replaced by a refresh (not counting the grace-window retries answered with the same successor).',
    registers: [this.registry],
  });

  private readonly reuseDetections = new Counter({
    name: 'fungame_auth_refresh_reuse_detections_total',
    help: 'Replaced tokens presented again after the grace window: each ended its session.',
    registers: [this.registry],
  });

  private readonly logouts = new Counter({
    name: 'fungame_auth_logouts_total',
    help: 'Sessions ended by their client.',
    registers: [this.registry],
  });

  private readonly bans = new Counter({
    name: 'fungame_auth_bans_total',
    help: 'Bans set (ban) and lifted (unban) by operators, through the admin API or the users:ban/unban commands.',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  private readonly adminActions = new Counter({
    name: 'fungame_auth_admin_actions_total',
    help: "Operators' actions on players, by action (the admin API and the ban commands).",
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  private readonly rateLimitFallbacks = new Counter({
    name: 'fungame_auth_rate_limit_fallbacks_total',
    help: 'Login and register requests whose per-address rate limit was counted in this process because Redis did not answer.',
    registers: [this.registry],
  });

  private readonly introspections = new Counter({
    name: 'fungame_auth_introspections_total',
    help: 'Tokens introspected by game servers (POST /oauth/introspect, each token of a batch), by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly feedSubscribers = new Gauge({
    name: 'fungame_auth_session_feed_subscribers',
    help: 'Game servers streaming GET /sessions/events from this instance.',
    registers: [this.registry],
  });

  private readonly feedEventsSent = new Counter({
    name: 'fungame_auth_session_feed_events_sent_total',
    help: 'session_ended events written to GET /sessions/events streams of this instance (one per stream).',
    registers: [this.registry],
  });

  public constructor(sessions: SessionsMaintenanceService) {
    const logger = this.logger;
    new Gauge({
      name: 'fungame_auth_live_sessions',
      help: 'Sessions not ended whose current token has not expired, on every instance (counted at scrape time).',
      registers: [this.registry],
      async collect() {
        try {
          this.set(await sessions.countLive());
        } catch (error) {
          // The other metrics are still worth a scrape while the database is down.
          logger.warn(`Could not count live sessions: ${error instanceof Error ? error.message : String(error)}`);
          this.set(Number.NaN);
        }
      },
    });
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of LOGIN_OUTCOMES) this.logins.inc({ outcome }, 0);
    for (const action of BAN_ACTIONS) this.bans.inc({ action }, 0);
    for (const action of Object.values(ADMIN_ACTIONS)) this.adminActions.inc({ action }, 0);
    for (const result of ['active', 'inactive']) this.introspections.inc({ result }, 0);
  }

  @OnEvent(TOKEN_INTROSPECTED)
  public countIntrospection({ active }: TokenIntrospected): void {
    this.introspections.inc({ result: active ? 'active' : 'inactive' });
  }

  @OnEvent(SESSION_FEED_SUBSCRIBERS_CHANGED)
  public countFeedSubscribers(change: number): void {
    this.feedSubscribers.inc(change);
  }

  @OnEvent(SESSION_FEED_EVENTS_SENT)
  public countFeedEventsSent(count: number): void {
    this.feedEventsSent.inc(count);
  }

  public observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  @OnEvent(RATE_LIMIT_FALLBACK)
  public countRateLimitFallback(): void {
    this.rateLimitFallbacks.inc();
  }

  @OnEvent(AUDIT_EVENT_RECORDED)
  public countAuditEvent({ event }: AuditEventRecorded): void {
    if (event in ADMIN_ACTIONS) this.adminActions.inc({ action: ADMIN_ACTIONS[event as keyof typeof ADMIN_ACTIONS] });
    switch (event) {
      case 'user_banned':
        this.bans.inc({ action: 'ban' });
        break;
      case 'user_unbanned':
        this.bans.inc({ action: 'unban' });
        break;
      case 'login_succeeded':
        this.logins.inc({ outcome: 'success' });
        break;
      case 'login_failed':
        this.logins.inc({ outcome: 'failure' });
        break;
      case 'account_locked':
        this.logins.inc({ outcome: 'locked' });
        break;
      case 'register':
        this.registrations.inc();
        break;
      case 'token_refreshed':
        this.refreshes.inc();
        break;
      case 'refresh_reuse_detected':
        this.reuseDetections.inc();
        break;
      case 'logout':
        this.logouts.inc();
        break;
    }
  }
}
