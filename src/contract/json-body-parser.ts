import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { isUtf8 } from 'node:buffer';

/**
 * Request bodies above this are refused (413) before any parsing. Every body this API takes is two
 * short strings.
 */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Stands in for a body that is not JSON; the body pipe turns it into the route's 400. */
export const UNPARSEABLE_BODY: unique symbol = Symbol('unparseable body');

/**
 * Route config (`@RouteConfig({ [ACCEPTS_FORM_BODY_KEY]: true })`) of a route that also takes
 * `application/x-www-form-urlencoded` bodies: OAuth's introspection (RFC 7662) is defined on them.
 */
export const ACCEPTS_FORM_BODY_KEY = 'acceptsFormBody';

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * Route config of a route whose bodies may exceed BODY_LIMIT_BYTES, up to this many bytes: a batch
 * introspection of 100 tokens is about 40 KB.
 */
export const BODY_LIMIT_KEY = 'bodyLimitBytes';

/** The `onRoute` hook (src/app.hooks.ts): a route's own body limit (Fastify's route option, which Nest does not expose) from its route config. */
export function applyRouteBodyLimit(route: RouteOptions): void {
  const limit = (route.config as Record<string, unknown> | undefined)?.[BODY_LIMIT_KEY];
  if (typeof limit === 'number') route.bodyLimit = limit;
}

/**
 * Part of the `onRequest` hook (src/app.hooks.ts). Fastify answers a Content-Type it cannot parse (empty,
 * a list) with its own 415 before any parser or route runs: reduce it to one the catch-all parser of
 * `registerJsonBodyParser` takes.
 */
export function normalizeContentType(request: FastifyRequest): void {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined) {
    request.headers['content-type'] = isJsonMediaType(contentType)
      ? 'application/json'
      : isFormMediaType(contentType)
        ? FORM_MEDIA_TYPE
        : 'application/octet-stream';
  }
}

/**
 * Replaces Fastify's body parsers with one that never throws: an empty body (the refresh page's own
 * cURL example sends `Content-Type: application/json` with none) is no body at all, and text that is
 * not JSON, or is sent as another media type, reaches the route as UNPARSEABLE_BODY, so every route
 * answers it with its own contract body instead of a generic framework error. (With the hooks of
 * `applyRouteBodyLimit` and `normalizeContentType`.)
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  // Fastify's own JSON parser, which strips `__proto__` and `constructor.prototype` keys.
  const parseJson = fastify.getDefaultJsonParser('remove', 'remove');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    '*',
    // No limit of the parser's own: it would override the routes' (Fastify's default is BODY_LIMIT_BYTES).
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: string | Buffer, done: (error: null, body?: unknown) => void) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      // JSON text is UTF-8 (RFC 8259), and ASP.NET's reader refuses anything else. Decoded leniently,
      // invalid bytes would become U+FFFD: a property name nobody knows, and so silently ignored, or a
      // username stored as other characters than the client sent.
      if (!isUtf8(bytes)) return done(null, UNPARSEABLE_BODY);
      const text = bytes.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      if (isFormMediaType(request.headers['content-type'])) {
        return done(null, acceptsForm(request) ? parseForm(text) : UNPARSEABLE_BODY);
      }
      if (!isJsonMediaType(request.headers['content-type'])) return done(null, UNPARSEABLE_BODY);
      // Deeply nested JSON would overflow the stack of the DTO transformation; no body here nests.
      if (nestingExceeds(text, MAX_JSON_DEPTH)) return done(null, UNPARSEABLE_BODY);
      void parseJson(request, text, (error: Error | null, parsed?: unknown) =>
        done(null, error ? UNPARSEABLE_BODY : parsed),
      );
    },
  );
}

function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function isFormMediaType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0].trim().toLowerCase() === FORM_MEDIA_TYPE;
}

function acceptsForm(request: FastifyRequest): boolean {
  return (
    (request.routeOptions?.config as unknown as Record<string, unknown> | undefined)?.[ACCEPTS_FORM_BODY_KEY] === true
  );
}

/**
 * A form body as an object of strings (without a prototype, so no name reaches one). A parameter given
 * twice is unparseable: RFC 6749 (3.1) says request parameters must not be repeated.
 */
function parseForm(text: string): Record<string, string> | typeof UNPARSEABLE_BODY {
  const fields = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, name)) return UNPARSEABLE_BODY;
    fields[name] = value;
  }
  return fields;
}

const MAX_JSON_DEPTH = 32;

/** Whether JSON text nests objects and arrays deeper than `max`, without parsing it. */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
    } else if (character === '"') {
      inString = true;
    } else if (character === '{' || character === '[') {
      if (++depth > max) return true;
    } else if (character === '}' || character === ']') {
      depth--;
    }
  }
  return false;
}
