import { validateEnvironment } from './environment.validation';
import { sessionsConfig } from './sessions.config';

/** The message `validateEnvironment` refuses the environment with (fails the test if it accepts it). */
function refusal(environment: Record<string, string>): string {
  try {
    validateEnvironment(environment);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(environment)}`);
}

describe('session limits (SESSION_MAX_AGE, SESSION_MAX_PER_USER)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('defaults to 30 days and 10 sessions', () => {
    expect(validateEnvironment({})).toMatchObject({ SESSION_MAX_AGE: '30d', SESSION_MAX_PER_USER: 10 });
    delete process.env.SESSION_MAX_AGE;
    delete process.env.SESSION_MAX_PER_USER;
    expect(sessionsConfig()).toEqual({ maxAgeMs: 30 * 86_400_000, maxPerUser: 10 });
  });

  it('reads a duration and a count', () => {
    expect(validateEnvironment({ SESSION_MAX_AGE: '12h', SESSION_MAX_PER_USER: '1' })).toMatchObject({
      SESSION_MAX_AGE: '12h',
      SESSION_MAX_PER_USER: 1,
    });
    process.env.SESSION_MAX_AGE = '12h';
    process.env.SESSION_MAX_PER_USER = '1';
    expect(sessionsConfig()).toEqual({ maxAgeMs: 12 * 3_600_000, maxPerUser: 1 });
  });

  it.each([['0'], ['0s'], ['thirty days'], ['-1d'], ['30 d']])('refuses SESSION_MAX_AGE=%p, naming it', (value) => {
    expect(refusal({ SESSION_MAX_AGE: value })).toContain(
      'SESSION_MAX_AGE must be a positive number of seconds or a duration like 30d',
    );
  });

  it.each([['0'], ['-3'], ['1.5'], ['ten'], ['1001']])('refuses SESSION_MAX_PER_USER=%p, naming it', (value) => {
    expect(refusal({ SESSION_MAX_PER_USER: value })).toMatch(/^Invalid configuration: SESSION_MAX_PER_USER /);
  });
});
