/**
 * What a stack trace, a source location or a database error looks like in a response body: none may
 * ever reach a client (STYLE.md: "Nothing internal reaches a response").
 */
const INTERNAL_DETAILS: readonly RegExp[] = [
  /\bat \S+ \(/, // a stack frame: "at Foo.bar (file:1:2)"
  /\n\s+at /,
  /\.ts:\d/,
  /\.js:\d/,
  /node_modules/,
  /QueryFailedError/,
  /\bSELECT\b/,
  /\bINSERT\b/,
  /\bsyntax error\b/,
  /\bviolates\b/,
  /\brelation "/,
];

/**
 * The internal details found in `body`. `prose` is for documents whose English text may contain
 * "at " or SQL words legitimately (the OpenAPI document); every other body of this API is a Chinese
 * message, a PayloadModel, a token or a health report, where even a bare "at " gives a stack trace away.
 */
export function internalDetailsIn(body: string, { prose = false }: { prose?: boolean } = {}): string[] {
  const patterns = prose ? INTERNAL_DETAILS.slice(0, 6) : [...INTERNAL_DETAILS, /at /];
  return patterns.filter((pattern) => pattern.test(body)).map(String);
}
