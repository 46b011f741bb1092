// Unknown user and wrong password must be indistinguishable in time (CONTRACT.md). This measures the
// median login time of each over 30 attempts, interleaved, in one run against the production build,
// and fails unless their ratio is within 0.8–1.25. Run: `npm run build && npm run check:timing`.
import { performance } from 'node:perf_hooks';

import { postJson, prepareDatabase, startServer } from './support/server-process.mjs';

const ATTEMPTS = 30;
const BOUNDS = [0.8, 1.25];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function timedLogin(url, username) {
  const started = performance.now();
  const response = await postJson(`${url}/user/login`, { Username: username, Password: 'not the password' });
  const elapsed = performance.now() - started;
  if (response.status !== 401) throw new Error(`expected 401, got ${response.status}`);
  return { elapsed, body: JSON.stringify(response.body) };
}

const database = await prepareDatabase('timing');
// Each name fails once, so the lockout never engages; the per-address limit is raised for the run. The
// accounts are registered at once (register.md's LAN mode: no API token, no mailed code); what is
// measured is login.
const server = await startServer(database.env, {
  AUTH_RATE_LIMIT: '100000',
  REGISTRATION_REQUIRES_API_TOKEN: 'false',
  REGISTRATION_EMAIL_VERIFICATION: 'false',
});
let failed = false;
try {
  const suffix = Math.random().toString(36).slice(2, 8);
  const existing = [];
  for (let index = 0; index < ATTEMPTS; index++) {
    const username = `timing_${suffix}_${index}`;
    const registered = await postJson(`${server.url}/user/register`, { Username: username, Password: 'Passw0rd!x' });
    if (registered.status !== 200) throw new Error(`register failed: ${registered.status}`);
    existing.push(username);
  }
  // Warm up both paths (JIT, pool connections) before measuring.
  await timedLogin(server.url, `warmup_${suffix}`);
  await timedLogin(server.url, existing[0]);

  const wrongPassword = [];
  const unknownUser = [];
  const bodies = new Set();
  for (let index = 1; index < ATTEMPTS; index++) {
    const wrong = await timedLogin(server.url, existing[index]);
    const unknown = await timedLogin(server.url, `nobody_${suffix}_${index}`);
    wrongPassword.push(wrong.elapsed);
    unknownUser.push(unknown.elapsed);
    bodies.add(wrong.body).add(unknown.body);
  }
  const ratio = median(unknownUser) / median(wrongPassword);
  console.log(`login timing on ${database.description}, bcrypt cost ${process.env.BCRYPT_COST ?? 12}:`);
  console.log(`  wrong password: median ${median(wrongPassword).toFixed(1)} ms over ${wrongPassword.length}`);
  console.log(`  unknown user:   median ${median(unknownUser).toFixed(1)} ms over ${unknownUser.length}`);
  console.log(`  ratio unknown/wrong: ${ratio.toFixed(3)} (must be within ${BOUNDS.join('–')})`);
  if (bodies.size !== 1) {
    console.error(`FAIL: the two cases answered different bodies: ${[...bodies].join(' | ')}`);
    failed = true;
  }
  if (ratio < BOUNDS[0] || ratio > BOUNDS[1]) {
    console.error('FAIL: unknown user and wrong password are distinguishable by time');
    failed = true;
  }
  if (!failed) console.log('PASS: indistinguishable in status, body and time');
} finally {
  await server.stop();
  await database.drop();
}
process.exitCode = failed ? 1 : 0;
