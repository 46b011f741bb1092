import { Logger } from '@nestjs/common';

/**
 * Records every error the application logs. The contract answers an internal failure with the route's
 * 400 body, the same as bad input, so the status alone cannot tell a crash from a refusal: what
 * ContractExceptionFilter logs can. Call at the top of a describe block; the spy passes every call on.
 */
export function recordLoggedErrors(): { take: () => string[]; restore: () => void } {
  const spy = jest.spyOn(Logger.prototype, 'error');
  return {
    /** The messages logged since the last call, so that one failure is reported once. */
    take: () => {
      const messages = spy.mock.calls.map((call) => String(call[0]));
      spy.mockClear();
      return messages;
    },
    restore: () => spy.mockRestore(),
  };
}
