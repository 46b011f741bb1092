// The batched lookup moved to SessionsRepository#findNotEndedState. These re-exports only keep the specs
// of the bearer-token code (being merged into one token service elsewhere) compiling: delete this file
// once they import from ./live-session-state.
export type { LiveSessionState, PresentedToken } from './live-session-state';
