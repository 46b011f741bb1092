import { AdminMessages } from '../contract/contract-messages';

/** An ISO 8601 date and time with its offset: `2026-12-31T00:00:00Z`, `2026-12-31T08:00+08:00`. */
const ISO_TIME_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export const BAN_REASON_MAX_LENGTH = 500;

/** A ban's end as an operator wrote it, or the message that says why it is not one. */
export function parseBanUntil(text: string, now = new Date()): { until: Date } | { problem: string } {
  // A time without its zone would be read in the server's zone, which is rarely the operator's.
  const parts = ISO_TIME_WITH_ZONE.exec(text);
  const until = parts && isCalendarTime(parts) ? new Date(text) : null;
  if (until === null || Number.isNaN(until.getTime()) || until.getTime() <= now.getTime()) {
    return { problem: AdminMessages.untilInvalid };
  }
  return { until };
}

/** Whether the fields name a real day and time: `Date` itself rolls 2030-02-30 over into March. */
function isCalendarTime(parts: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

/** The reason as stored (trimmed; empty is none), or the message that says why it cannot be. */
export function parseBanReason(text: string): { reason: string | null } | { problem: string } {
  const reason = text.trim();
  if ([...reason].length > BAN_REASON_MAX_LENGTH || /[\p{Cc}\p{Cs}]/u.test(reason)) {
    return { problem: AdminMessages.reasonInvalid };
  }
  return { reason: reason === '' ? null : reason };
}
