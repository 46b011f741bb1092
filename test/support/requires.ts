import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Something a test needs that a machine with only Node.js (the README's `npm test`) may lack. */
export interface Requirement {
  /** What it is and how to get it, as the skip warning and the CI failure name it. */
  name: string;
  available: boolean;
  /** Besides CI=true, whether this environment demands it (`.ci/run` exports REQUIRE_BROWSER=1). */
  demanded?: boolean;
}

const ROOT = join(__dirname, '..', '..');

/** The build (`npm run build`): tests that run `node dist/...` as an operator or a container would. */
export const BUILD: Requirement = {
  name: 'dist/ (run `npm run build`)',
  available: existsSync(join(ROOT, 'dist/main.js')),
};

/** A `redis-server` binary: tests that start (and kill) a Redis of their own, never the machine's. */
export const REDIS_SERVER: Requirement = {
  name: '`redis-server` (apt-get install redis-server)',
  available: spawnSync('redis-server', ['--version']).status === 0,
};

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Debian's Chromium: the Swagger UI test drives it, not a browser Playwright downloads. */
export const CHROMIUM: Requirement = {
  name: `${CHROMIUM_PATH} (apt-get install chromium)`,
  available: existsSync(CHROMIUM_PATH),
  demanded: process.env.REQUIRE_BROWSER === '1',
};

/** Whether this run is CI's: there a missing requirement fails, it is never skipped. */
function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

export interface Gate {
  /** `describe` when everything is here; else skipped (locally) or one failing test (CI). */
  describe: (name: string, fn: () => void) => void;
  /** `it` when everything is here; else skipped (locally) or failing without running (CI). */
  it: (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;
}

/**
 * The one rule for tests that need something the machine may lack: with all of `requirements` here
 * they run; without one, they are skipped with a console warning naming what is missing, except under
 * CI=true (or where the requirement is otherwise demanded), where each such test fails with that reason
 * instead. None of them ever returns early and passes.
 *
 *     const withRedis = requires(REDIS_SERVER);
 *     withRedis.it('shares the counters through Redis', async () => { ... });
 */
export function requires(...requirements: Requirement[]): Gate {
  const missing = requirements.filter((requirement) => !requirement.available);
  if (missing.length === 0) return { describe, it };

  const names = missing.map((requirement) => requirement.name).join(' and ');
  if (underCi() || missing.some((requirement) => requirement.demanded)) {
    const fail = (): never => {
      throw new Error(`this test needs ${names}, which this machine lacks; under CI it must run`);
    };
    return {
      describe: (name) => describe(name, () => it(`needs ${names}`, fail)),
      it: (name, _fn, timeout) => it(name, fail, timeout),
    };
  }
  return {
    describe: (name, fn) => {
      console.warn(`skipped: "${name}" needs ${names} (CI=true fails without it)`);
      describe.skip(name, fn);
    },
    it: (name, fn, timeout) => {
      console.warn(`skipped: "${name}" needs ${names} (CI=true fails without it)`);
      it.skip(name, fn, timeout);
    },
  };
}
