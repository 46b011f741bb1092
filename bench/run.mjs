// `npm run bench`: the hot paths measured against baselines taken in the same run, on this machine.
// Starts the production build as its own process (NODE_ENV=production, logs at warn) on PostgreSQL
// (DATABASE_URL's server, or the embedded default), drives it over loopback with autocannon, and prints
// one table; the same figures go to bench/results/latest.json. `npm run bench -- --compare` also shows
// the change against the previous latest.json. Run `npm run build` first.
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import pg from 'pg';

import { postJson, prepareDatabase, startServer } from './support/server-process.mjs';

const SECONDS = Math.max(Number(process.env.BENCH_SECONDS ?? 10), 1);
const WARMUP_SECONDS = 2;
const GET_CONNECTIONS = 32;
const BCRYPT_COST = Number(process.env.BCRYPT_COST ?? 12);
const THREADPOOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE ?? availableParallelism());
const LOGIN_CONNECTIONS = 2 * THREADPOOL_SIZE;
const LARGE = { users: 100_000, sessions: 1_000_000 };
const RESULTS = 'bench/results/latest.json';
const compare = process.argv.includes('--compare');
const previous = compare && existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : undefined;

const database = await prepareDatabase('bench');
const server = await startServer(
  database.env,
  {
    AUTH_RATE_LIMIT: '1000000000',
    BCRYPT_COST: String(BCRYPT_COST),
    UV_THREADPOOL_SIZE: String(THREADPOOL_SIZE),
  },
  // `npm run bench -- --cpu-prof`: a V8 CPU profile of the server, written when it stops.
  {
    nodeOptions: [
      ...(process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
      ...(process.argv.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir=bench/results'] : []),
    ],
  },
);
const db = new pg.Client({ connectionString: database.connectionUrl() });
await db.connect();
const rows = [];
/** One bearer token per benchmark session; refresh scenarios replace them as they rotate. */
const tokens = [];

try {
  // ---- login vs raw bcrypt ----
  const passwordHash = await bcrypt.hash('Passw0rd!bench', BCRYPT_COST);
  await db.query(
    `INSERT INTO users (username, username_key, password_hash)
     SELECT 'bench_' || g, 'bench_' || g, $1 FROM generate_series(1, 256) g`,
    [passwordHash],
  );
  // At ~9 logins/s, twice the time keeps the count's edge effects (requests cut off at the end) small.
  const loginSeconds = 2 * SECONDS;
  const bcryptBaseline = runBcryptBaseline(loginSeconds);
  const login = await measure(
    'login',
    {
      connections: LOGIN_CONNECTIONS,
      requests: [
        {
          method: 'POST',
          path: '/user/login',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({
              Username: `bench_${1 + Math.floor(Math.random() * 256)}`,
              Password: 'Passw0rd!bench',
            }),
          }),
        },
      ],
    },
    loginSeconds,
  );
  rows.push(row(`login (bcrypt cost ${BCRYPT_COST})`, login, bcryptBaseline, 'raw bcrypt.compare', 0.9));

  // ---- the bearer guard: a protected GET vs a route that touches nothing ----
  const liveness = await measure('liveness', { connections: GET_CONNECTIONS, requests: [{ path: '/health/live' }] });
  tokens.push(...(await loginSessions(GET_CONNECTIONS)));
  const me = await measure('protected GET', {
    connections: GET_CONNECTIONS,
    requests: [bearerRequest('GET', '/user/me', tokens)],
  });
  rows.push(row('protected GET /user/me', me, liveness, 'GET /health/live', 0.5));
  rows.push(row('liveness GET /health/live', liveness));

  // ---- refresh vs the protected GET ----
  const refresh = await measure('refresh', {
    connections: GET_CONNECTIONS,
    requests: [bearerRequest('POST', '/user/refresh', tokens, { rotates: true })],
  });
  rows.push(row('refresh POST /user/refresh', refresh, me, 'protected GET', 0.5));
  await resyncTokens(tokens);

  // ---- the same on a database with 100,000 users and 1,000,000 sessions ----
  const seeded = await seedLargeDatabase();
  const meLarge = await measure('protected GET, large', {
    connections: GET_CONNECTIONS,
    requests: [bearerRequest('GET', '/user/me', tokens)],
  });
  rows.push(row('protected GET, 1M sessions', meLarge, me, 'same, empty database', 0.9));
  const refreshLarge = await measure('refresh, large', {
    connections: GET_CONNECTIONS,
    requests: [bearerRequest('POST', '/user/refresh', tokens, { rotates: true })],
  });
  rows.push(row('refresh, 1M sessions', refreshLarge, refresh, 'same, empty database', 0.9));
  await resyncTokens(tokens);

  const peakRssMb = peakRss(server.pid);
  rows.push({
    scenario: 'peak RSS of the server',
    value: `${peakRssMb.toFixed(0)} MB`,
    target: '≤ 200 MB',
    pass: peakRssMb <= 200,
  });
  report(rows, { seeded, peakRssMb });
} finally {
  await db.end();
  await server.stop();
  await database.drop();
}

// ----------------------------------------------------------------------------------------------------

async function measure(name, options, seconds = SECONDS) {
  const base = { url: server.url, pipelining: 1, ...options };
  const reset = () => options.requests.forEach((request) => request.reset?.());
  reset();
  await autocannon({ ...base, duration: WARMUP_SECONDS });
  if (options.requests.some((request) => request.reset)) await resyncTokens(tokens);
  reset();
  const result = await autocannon({ ...base, duration: seconds });
  const errors = result.errors + result.timeouts + result.non2xx;
  process.stderr.write(`  ${name}: ${result.requests.average.toFixed(0)} req/s, ${errors} errors\n`);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    requests: result.requests.total,
  };
}

function bearerRequest(method, path, tokens, { rotates = false } = {}) {
  if (!rotates) {
    return {
      method,
      path,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${tokens[Math.floor(Math.random() * tokens.length)]}` },
      }),
    };
  }
  // A refresh answers the token to use next. Each session is checked out by one request at a time (the
  // context lives from setupRequest to onResponse of one request), and its new token checked back in.
  const free = [];
  return {
    method,
    path,
    reset: () => free.splice(0, free.length, ...tokens.keys()),
    setupRequest: (request, context) => {
      context.slot = free.pop();
      return { ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[context.slot]}` } };
    },
    onResponse: (status, body, context) => {
      if (status === 200) tokens[context.slot] = JSON.parse(body);
      free.push(context.slot);
    },
  };
}

/**
 * autocannon drops the responses still in flight when a run ends, so a session may hold a token its
 * refresh already replaced. Within the grace window, refreshing that token answers the successor.
 */
async function resyncTokens(tokens) {
  for (let slot = 0; slot < tokens.length; slot++) {
    const response = await fetch(`${server.url}/user/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[slot]}` },
    });
    if (response.status !== 200) throw new Error(`could not resync session ${slot}: ${response.status}`);
    tokens[slot] = await response.json();
  }
}

async function loginSessions(count) {
  const tokens = [];
  for (let index = 0; index < count; index++) {
    const response = await postJson(`${server.url}/user/login`, {
      Username: `bench_${index + 1}`,
      Password: 'Passw0rd!bench',
    });
    if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
    tokens.push(response.body.Data.bearerToken);
  }
  return tokens;
}

function runBcryptBaseline(seconds) {
  process.stderr.write(`  raw bcrypt.compare, ${THREADPOOL_SIZE} threads: `);
  const output = execFileSync(
    process.execPath,
    ['bench/support/bcrypt-baseline.mjs', String(BCRYPT_COST), String(seconds)],
    {
      env: { ...process.env, UV_THREADPOOL_SIZE: String(THREADPOOL_SIZE) },
      encoding: 'utf8',
    },
  );
  const { operationsPerSecond } = JSON.parse(output.trim().split('\n').pop());
  process.stderr.write(`${operationsPerSecond.toFixed(2)} /s\n`);
  return { requestsPerSecond: operationsPerSecond };
}

async function seedLargeDatabase() {
  const started = Date.now();
  process.stderr.write(`  seeding ${LARGE.users} users and ${LARGE.sessions} sessions… `);
  await db.query(
    `INSERT INTO users (username, username_key, password_hash)
     SELECT 'seed_' || g, 'seed_' || g, $1 FROM generate_series(1, $2::int) g`,
    [passwordHash(), LARGE.users],
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
  await db.query('ANALYZE users; ANALYZE sessions');
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`${seconds.toFixed(1)} s\n`);
  return { ...LARGE, seconds };
}

function passwordHash() {
  return '$2b$04$' + 'a'.repeat(53); // never logged in with: any well-formed hash will do
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
      ? `${baselineName} (${baseline.requestsPerSecond.toFixed(baseline.requestsPerSecond < 100 ? 2 : 0)}/s)`
      : '',
    ratio,
    target: target === undefined ? '' : `≥ ${target.toFixed(2)}`,
    pass: (target === undefined || ratio >= target) && figures.errors === 0,
  };
}

function report(table, extra) {
  const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`;
  const lines = [
    `bench ${new Date().toISOString().slice(0, 10)} on ${machine}; ${database.description};`,
    `${SECONDS} s per scenario after ${WARMUP_SECONDS} s warm-up; UV_THREADPOOL_SIZE=${THREADPOOL_SIZE}; command: npm run bench`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors | baseline (same run) | ratio | target | |',
    '|---|---:|---:|---:|---:|---|---:|---|---|',
  ];
  const before = new Map((previous?.rows ?? []).map((entry) => [entry.scenario, entry]));
  for (const entry of table) {
    if (entry.value) {
      lines.push(
        `| ${entry.scenario} | ${entry.value} | | | | | | ${entry.target} | ${entry.pass ? 'pass' : 'FAIL'} |`,
      );
      continue;
    }
    const was = before.get(entry.scenario);
    const change = was ? ` (${signed((entry.requestsPerSecond / was.requestsPerSecond - 1) * 100)}%)` : '';
    lines.push(
      `| ${entry.scenario} | ${entry.requestsPerSecond.toFixed(entry.requestsPerSecond < 100 ? 2 : 0)}${change} | ${entry.p50} | ${entry.p99} | ${entry.errors} | ${entry.baseline} | ${entry.ratio === undefined ? '' : entry.ratio.toFixed(2)} | ${entry.target} | ${entry.target ? (entry.pass ? 'pass' : 'FAIL') : ''} |`,
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

function signed(value) {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}
