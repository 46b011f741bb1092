// `npm run bench`: the hot paths measured against baselines taken in the same run, on this machine.
// Starts the production build as its own process (NODE_ENV=production, the production defaults: one log
// line per request, metrics, security headers, the audit trail) on PostgreSQL (DATABASE_URL's server, or
// the embedded default), drives it over loopback with autocannon, and prints one table; the same figures
// go to bench/results/latest.json. `npm run bench -- --compare` also shows the change against the
// previous latest.json; `npm run bench -- --cpu-prof` writes V8 CPU profiles of the servers to
// bench/results. `BENCH_ONLY=liveness,me` runs some scenarios only (login, liveness, me, refresh, large),
// for a look while working on one; `BENCH_SECONDS` shortens each.
//
// A shared machine's speed drifts by tens of percent within seconds (other tenants, CPU steal). So each
// scenario and its baseline run in alternating rounds (A B B A A B …, 1 s each, 20 s in all for each,
// after a warm-up of each), and a ratio compares figures taken over the same stretch of time (README,
// Performance: how much longer rounds let the same build against itself drift).
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

import { threadPoolSize } from '../dist/thread-pool.js';
import { postJson, prepareDatabase, prepareSiblingDatabase, startServer } from './support/server-process.mjs';

const SECONDS = Math.max(Number(process.env.BENCH_SECONDS ?? 20), 2);
/** What the targets ask of a scenario; a shorter run (BENCH_SECONDS, for a quick look) is marked, not passed. */
const MINIMUM_SECONDS = 10;
const ROUND_SECONDS = 1;
/** A login takes ~0.5 s at cost 12: longer rounds keep the requests cut off at each round's end few. */
const LOGIN_ROUND_SECONDS = 5;
const WARMUP_SECONDS = 2;
const CONNECTIONS = 32;
/** Login is measured at the cost the service defaults to and at a cheaper one, where its queries weigh more. */
const BCRYPT_COSTS = [12, 10];
/** The thread pool the service gives itself here (src/thread-pool.ts); the bcrypt baseline gets the same. */
const THREADPOOL_SIZE = threadPoolSize();
const LOGIN_CONNECTIONS = 2 * THREADPOOL_SIZE;
const BENCH_USERS = 256;
const BENCH_PASSWORD = 'Passw0rd!bench';
const LARGE = { users: 100_000, sessions: 1_000_000 };
const PEAK_RSS_MB = 150;
const RESULTS = 'bench/results/latest.json';
const SCENARIOS = ['login', 'liveness', 'me', 'refresh', 'large'];
const only = (process.env.BENCH_ONLY ?? SCENARIOS.join(',')).split(',').filter(Boolean);
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`BENCH_ONLY: unknown scenario ${name}`);
const runs = (name) => only.includes(name);
const compare = process.argv.includes('--compare');
const previous = compare && existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : undefined;

const serverEnv = {
  // Raised for the run through configuration, as an operator would for a load test.
  AUTH_RATE_LIMIT: '1000000000',
  BCRYPT_COST: String(BCRYPT_COSTS[0]),
};
const serverOptions = {
  nodeOptions: [
    ...(process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
    ...(process.argv.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir=bench/results'] : []),
  ],
};

// The service under test on an empty database, and the same service on a database with 100,000 users
// and 1,000,000 sessions, on the same PostgreSQL server: their rounds alternate as any other pair's.
const database = await prepareDatabase('bench');
/** Newest first: the processes stop before the databases they use are dropped. */
const cleanUp = [() => database.drop()];
// Ctrl-C stops the servers and drops the databases too; what the interrupted run then throws is moot.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    void runCleanUp().finally(() => process.exit(130));
  });
}
const rows = [];
/** Every service process of the run, for the peak RSS. */
const servers = [];
try {
  const empty = await startServer(database.env, serverEnv, serverOptions);
  cleanUp.unshift(() => empty.stop());
  servers.push(empty);
  empty.label = 'empty database';
  await seedBenchUsers(database.connectionUrl(), 'bench', BCRYPT_COSTS[0]);

  let large;
  let seeded;
  if (runs('large')) {
    const largeDatabase = await prepareSiblingDatabase(database, 'bench_large');
    cleanUp.unshift(() => largeDatabase.drop());
    large = await startServer(largeDatabase.env, serverEnv, serverOptions);
    cleanUp.unshift(() => large.stop());
    servers.push(large);
    large.label = '1M sessions';
    seeded = await seedLargeDatabase(largeDatabase.connectionUrl());
    await seedBenchUsers(largeDatabase.connectionUrl(), 'bench', BCRYPT_COSTS[0]);
    large.maintain = () => maintain(largeDatabase.connectionUrl());
  }

  // ---- login vs raw bcrypt, at each cost ----
  if (runs('login')) {
    for (const cost of BCRYPT_COSTS) {
      // The service hashes (and rehashes) at its configured cost: one process per cost, on the same database,
      // with users of their own whose hashes are of that cost.
      const prefix = `bench${cost}`;
      await seedBenchUsers(database.connectionUrl(), prefix, cost);
      const server =
        cost === BCRYPT_COSTS[0]
          ? empty
          : // The running PostgreSQL's URL: with the embedded default, database.env would start a second one.
            await startServer(
              { DATABASE_URL: database.connectionUrl() },
              { ...serverEnv, BCRYPT_COST: String(cost) },
              serverOptions,
            );
      if (server !== empty) {
        servers.push(server);
        server.label = `cost ${cost}`;
      }
      const bcryptBaseline = await startBcryptBaseline(cost);
      try {
        const [raw, login] = await alternate(
          bcryptBaseline,
          httpScenario(server, {
            connections: LOGIN_CONNECTIONS,
            requests: [loginRequest(prefix)],
            // A round ends with up to LOGIN_CONNECTIONS logins still in flight on the server, whose bcrypt
            // work would run into the next round, perhaps the baseline's. One more login, queued behind them
            // on the thread pool, returns once they are done, as the baseline finishes its own before it answers.
            afterRound: () => loginSessions(server, 1, prefix),
          }),
          { roundSeconds: LOGIN_ROUND_SECONDS },
        );
        rows.push(
          row(`login (bcrypt cost ${cost})`, login, raw, `raw bcrypt.compare`, cost === BCRYPT_COSTS[0] ? 0.95 : 0.9),
        );
      } finally {
        bcryptBaseline.stop();
        if (server !== empty) {
          server.peakRssMb = peakRss(server.pid);
          await server.stop();
        }
      }
    }
  }

  // One session per connection, opened after the login scenario so that none of its logins supersedes them.
  for (const server of [empty, large].filter(Boolean)) server.tokens = await loginSessions(server, CONNECTIONS);
  // Both databases as autovacuum keeps them (a server may run with it off, as this machine's does): vacuumed
  // and analyzed after the writes so far, then checkpointed, before the measurements begin.
  await maintain(database.connectionUrl());
  await large?.maintain();

  const me = (server) => httpScenario(server, { requests: [bearerRequest('GET', '/user/me', server)] });
  const refresh = (server) =>
    httpScenario(server, { requests: [refreshRequest(server)], afterRound: () => resyncTokens(server) });
  const liveness = (server) => httpScenario(server, { requests: [{ path: '/health/live' }] });

  // ---- the service's per-request stack: its cheapest route vs bare Fastify ----
  if (runs('liveness')) {
    const bare = await startBareFastify();
    try {
      const [bareLive, live] = await alternate(httpScenario(bare, { requests: [{ path: '/live' }] }), liveness(empty));
      rows.push(row('liveness GET /health/live', live, bareLive, 'bare Fastify GET /live', 0.5));
    } finally {
      bare.stop();
    }
  }

  // ---- the bearer guard: a protected GET vs a route that touches nothing ----
  if (runs('me')) {
    const [live, meVsLiveness] = await alternate(liveness(empty), me(empty));
    rows.push(row('protected GET /user/me', meVsLiveness, live, 'GET /health/live', 0.8));
  }

  // ---- refresh vs the protected GET ----
  if (runs('refresh')) {
    const [meVsRefresh, refreshVsMe] = await alternate(me(empty), refresh(empty));
    rows.push(row('refresh POST /user/refresh', refreshVsMe, meVsRefresh, 'protected GET', 0.6));
  }

  // ---- the same on a database with 100,000 users and 1,000,000 sessions ----
  if (large) {
    const [meEmpty, meLarge] = await alternate(me(empty), me(large));
    rows.push(row('protected GET, 1M sessions', meLarge, meEmpty, 'same, empty database', 0.9));
    const [refreshEmpty, refreshLarge] = await alternate(refresh(empty), refresh(large));
    rows.push(row('refresh, 1M sessions', refreshLarge, refreshEmpty, 'same, empty database', 0.9));
  }

  const peakRssMb = Math.max(...servers.map((server) => server.peakRssMb ?? peakRss(server.pid)));
  rows.push({
    scenario: 'peak RSS of the server',
    value: `${peakRssMb.toFixed(0)} MB`,
    target: `≤ ${PEAK_RSS_MB} MB`,
    pass: peakRssMb <= PEAK_RSS_MB,
  });
  report(rows, { seeded, peakRssMb });
} catch (error) {
  if (!interrupted) throw error;
} finally {
  await runCleanUp();
}

// ----------------------------------------------------------------------------------------------------

/** Every clean-up step, each one even when an earlier one failed. */
async function runCleanUp() {
  for (const step of cleanUp.splice(0)) {
    try {
      await step();
    } catch (error) {
      process.stderr.write(`  clean-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

/**
 * Measures `baseline` and `subject` in alternating rounds (A B, then B A, …) until each has run
 * `seconds`, after one warm-up round of each; returns the figures of each over all its rounds.
 */
async function alternate(baseline, subject, { seconds = SECONDS, roundSeconds = ROUND_SECONDS } = {}) {
  await baseline.round(WARMUP_SECONDS);
  await subject.round(WARMUP_SECONDS);
  const rounds = Math.max(Math.round(seconds / roundSeconds), 1);
  const samples = [[], []];
  for (let index = 0; index < rounds; index++) {
    const order = index % 2 === 0 ? [0, 1] : [1, 0];
    for (const which of order) samples[which].push(await [baseline, subject][which].round(roundSeconds));
  }
  const figures = samples.map(combine);
  for (const [which, scenario] of [baseline, subject].entries()) {
    const { requestsPerSecond, errors } = figures[which];
    process.stderr.write(
      `  ${scenario.name}: ${requestsPerSecond.toFixed(requestsPerSecond < 100 ? 2 : 0)}/s, ${errors} errors\n`,
    );
  }
  return figures;
}

/** One scenario's rounds together: completed requests over the time measured, latency percentiles. */
function combine(samples) {
  const latencies = samples.flatMap((sample) => sample.latencies ?? []).sort((a, b) => a - b);
  const percentile = (p) =>
    latencies.length ? latencies[Math.min(Math.floor(p * latencies.length), latencies.length - 1)] : undefined;
  const total = (key) => samples.reduce((sum, sample) => sum + sample[key], 0);
  return {
    requestsPerSecond: total('completed') / total('seconds'),
    p50: percentile(0.5),
    p99: percentile(0.99),
    errors: total('errors'),
    requests: total('completed'),
  };
}

/**
 * Load on one server with autocannon: each round a run of its own, its latencies kept to the millisecond.
 * `afterRound` runs after each round, outside the time measured.
 */
function httpScenario(server, { afterRound, ...load }) {
  return {
    name: `${load.requests[0].method ?? 'GET'} ${load.requests[0].path} (${server.label})`,
    async round(seconds) {
      load.requests.forEach((request) => request.reset?.());
      const latencies = [];
      const run = autocannon({
        url: server.url,
        connections: CONNECTIONS,
        pipelining: 1,
        ...load,
        duration: seconds,
      });
      run.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
      const result = await run;
      await afterRound?.();
      return {
        completed: result.requests.total,
        seconds,
        // autocannon's errors include its timeouts.
        errors: result.errors + result.non2xx,
        latencies,
      };
    },
  };
}

/** Raw bcrypt.compare in a plain Node process with the server's thread-pool size, one round on request. */
async function startBcryptBaseline(cost) {
  const child = fork('bench/support/bcrypt-baseline.mjs', [String(cost), String(LOGIN_CONNECTIONS)], {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(THREADPOOL_SIZE) },
  });
  const exited = new Promise((_resolve, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`the bcrypt baseline exited (${signal ?? code})`))),
  );
  exited.catch(() => undefined); // observed through reply() while it runs; expected once stopped
  const reply = () => Promise.race([new Promise((resolve) => child.once('message', resolve)), exited]);
  await reply(); // ready
  return {
    name: `raw bcrypt.compare at cost ${cost}, ${THREADPOOL_SIZE} threads`,
    async round(seconds) {
      const answer = reply();
      child.send({ seconds });
      const { operations } = await answer;
      return { completed: operations, seconds, errors: 0 };
    },
    stop: () => child.kill(),
  };
}

/** The bare Fastify baseline (bench/support/bare-fastify.mjs), listening once this resolves. */
async function startBareFastify() {
  const child = fork('bench/support/bare-fastify.mjs', [], { execArgv: serverOptions.nodeOptions });
  const { port } = await Promise.race([
    new Promise((resolve) => child.once('message', resolve)),
    new Promise((_resolve, reject) => child.once('exit', () => reject(new Error('bare Fastify exited')))),
  ]);
  return { url: `http://127.0.0.1:${port}`, label: 'bare Fastify', stop: () => child.kill() };
}

function loginRequest(prefix) {
  return {
    method: 'POST',
    path: '/user/login',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => ({
      ...request,
      body: JSON.stringify({
        Username: `${prefix}_${1 + Math.floor(Math.random() * BENCH_USERS)}`,
        Password: BENCH_PASSWORD,
      }),
    }),
  };
}

function bearerRequest(method, path, server) {
  return {
    method,
    path,
    setupRequest: (request) => ({
      ...request,
      headers: {
        ...request.headers,
        authorization: `Bearer ${server.tokens[Math.floor(Math.random() * server.tokens.length)]}`,
      },
    }),
  };
}

/**
 * A refresh answers the token to use next. Each session is checked out by one request at a time (the
 * context lives from setupRequest to onResponse of one request), and its new token checked back in.
 */
function refreshRequest(server) {
  const free = [];
  return {
    method: 'POST',
    path: '/user/refresh',
    reset: () => free.splice(0, free.length, ...server.tokens.keys()),
    setupRequest: (request, context) => {
      context.slot = free.pop();
      return {
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${server.tokens[context.slot]}` },
      };
    },
    onResponse: (status, body, context) => {
      if (status === 200) server.tokens[context.slot] = JSON.parse(body);
      free.push(context.slot);
    },
  };
}

/**
 * autocannon drops the responses still in flight when a run ends: a refreshed session may hold a token its
 * refresh already replaced. Within the grace window, refreshing that one answers the successor.
 */
async function resyncTokens(server) {
  for (let slot = 0; slot < server.tokens.length; slot++) {
    const response = await fetch(`${server.url}/user/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.tokens[slot]}` },
    });
    if (response.status !== 200) throw new Error(`could not resync session ${slot}: ${response.status}`);
    server.tokens[slot] = await response.json();
  }
}

async function seedBenchUsers(connectionUrl, prefix, cost) {
  const passwordHash = await bcrypt.hash(BENCH_PASSWORD, cost);
  await withClient(connectionUrl, (db) =>
    db.query(
      `INSERT INTO users (username, username_key, password_hash)
       SELECT $3 || '_' || g, $3 || '_' || g, $1 FROM generate_series(1, $2::int) g`,
      [passwordHash, BENCH_USERS, prefix],
    ),
  );
}

async function loginSessions(server, count, prefix = 'bench') {
  const tokens = [];
  for (let index = 0; index < count; index++) {
    const response = await postJson(`${server.url}/user/login`, {
      Username: `${prefix}_${index + 1}`,
      Password: BENCH_PASSWORD,
    });
    if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
    tokens.push(response.body.Data.bearerToken);
  }
  return tokens;
}

async function seedLargeDatabase(connectionUrl) {
  const started = Date.now();
  process.stderr.write(`  seeding ${LARGE.users} users and ${LARGE.sessions} sessions… `);
  await withClient(connectionUrl, async (db) => {
    await db.query(
      `INSERT INTO users (username, username_key, password_hash)
       SELECT 'seed_' || g, 'seed_' || g, $1 FROM generate_series(1, $2::int) g`,
      ['$2b$04$' + 'a'.repeat(53), LARGE.users], // never logged in with: any well-formed hash will do
    );
    // Half of them ended, as in a database that has been in use for a while.
    await db.query(
      `WITH seeded AS (SELECT array_agg(id) AS ids FROM users WHERE username LIKE 'seed\\_%')
       INSERT INTO sessions (id, user_id, open_token, current_token_id, current_token_issued_at,
                             current_token_expires_at, client_address, user_agent, ended_at, end_reason)
       SELECT gen_random_uuid(), seeded.ids[1 + g % $1::int], gen_random_uuid(), gen_random_uuid(), now(),
              now() + interval '30 minutes', '10.0.0.' || (g % 250), 'bench-seed',
              CASE WHEN g % 2 = 0 THEN now() END, CASE WHEN g % 2 = 0 THEN 'logout' END
         FROM generate_series(1, $2::int) g, seeded`,
      [LARGE.users, LARGE.sessions],
    );
  });
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`${seconds.toFixed(1)} s\n`);
  return { ...LARGE, seconds };
}

async function maintain(connectionUrl) {
  await withClient(connectionUrl, async (db) => {
    await db.query('VACUUM (ANALYZE)');
    await db.query('CHECKPOINT');
  });
}

async function withClient(connectionUrl, use) {
  const db = new pg.Client({ connectionString: connectionUrl });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

function peakRss(pid) {
  // VmHWM: the peak resident set size of the process over its whole life.
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

function row(scenario, figures, baseline, baselineName, target) {
  const ratio = baseline ? figures.requestsPerSecond / baseline.requestsPerSecond : undefined;
  return {
    scenario,
    requestsPerSecond: figures.requestsPerSecond,
    p50: figures.p50,
    p99: figures.p99,
    errors: figures.errors,
    baseline: baselineName
      ? `${baselineName} (${perSecond(baseline.requestsPerSecond)}/s${baseline.errors ? `, ${baseline.errors} errors` : ''})`
      : '',
    ratio,
    target: target === undefined ? '' : `≥ ${target.toFixed(2)}`,
    // A baseline that met errors would flatter the ratio: both sides must be clean.
    pass: (target === undefined || ratio >= target) && figures.errors === 0 && (baseline?.errors ?? 0) === 0,
  };
}

function milliseconds(value) {
  return value === undefined ? '' : value.toFixed(value < 100 ? 1 : 0);
}

function perSecond(value) {
  return value.toFixed(value < 100 ? 2 : 0);
}

function report(table, extra) {
  const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`;
  const lines = [
    `bench ${new Date().toISOString().slice(0, 10)} on ${machine}; ${database.description};`,
    `each scenario ${SECONDS} s in ${ROUND_SECONDS} s rounds (login ${LOGIN_ROUND_SECONDS} s) alternating with its baseline's, after a ${WARMUP_SECONDS} s warm-up; UV_THREADPOOL_SIZE=${THREADPOOL_SIZE}; command: npm run bench`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors | baseline (same run) | ratio | target | |',
    '|---|---:|---:|---:|---:|---|---:|---|---|',
  ];
  const before = new Map((previous?.rows ?? []).map((entry) => [entry.scenario, entry]));
  for (const entry of table) {
    if (entry.value) {
      lines.push(`| ${entry.scenario} | ${entry.value} | | | | | | ${entry.target} | ${verdict(entry)} |`);
      continue;
    }
    const was = before.get(entry.scenario);
    const change = was ? ` (${signed((entry.requestsPerSecond / was.requestsPerSecond - 1) * 100)}%)` : '';
    lines.push(
      `| ${entry.scenario} | ${perSecond(entry.requestsPerSecond)}${change} | ${milliseconds(entry.p50)} | ${milliseconds(entry.p99)} | ${entry.errors} | ${entry.baseline} | ${entry.ratio === undefined ? '' : entry.ratio.toFixed(2)} | ${entry.target} | ${entry.target ? verdict(entry) : ''} |`,
    );
  }
  console.log(lines.join('\n'));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        database: database.description,
        seconds: SECONDS,
        roundSeconds: ROUND_SECONDS,
        threadpool: THREADPOOL_SIZE,
        ...extra,
        rows: table,
      },
      null,
      2,
    ),
  );
  if (table.some((entry) => entry.pass === false)) process.exitCode = 1;
}

function verdict(entry) {
  if (!entry.pass) return 'FAIL';
  return SECONDS < MINIMUM_SECONDS ? `pass, but ${SECONDS} s < ${MINIMUM_SECONDS} s` : 'pass';
}

function signed(value) {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}
