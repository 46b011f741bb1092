/**
 * Several contract responses are a bare JSON string (`"eyJ..."`). Fastify sends a string body as it is
 * when the route declares `Content-Type: application/json`, so the handler serialises it here.
 */
export function jsonString(value: string): string {
  return JSON.stringify(value);
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
