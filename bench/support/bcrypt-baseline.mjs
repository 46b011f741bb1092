// The login scenario's baseline: raw bcrypt.compare throughput at a given cost in a plain Node process,
// with as many comparisons in flight as the thread pool (UV_THREADPOOL_SIZE, inherited) can run.
// Prints one JSON line: {"operationsPerSecond": …, "operations": …, "seconds": …}.
import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';

const cost = Number(process.argv[2] ?? 12);
const seconds = Number(process.argv[3] ?? 10);
const inFlight = 2 * Number(process.env.UV_THREADPOOL_SIZE ?? 4);

const password = 'Passw0rd!bench';
const hash = await bcrypt.hash(password, cost);
await bcrypt.compare(password, hash); // warm-up

// Counted as autocannon counts requests: those completed within the duration, over the duration.
let operations = 0;
const started = performance.now();
const deadline = started + seconds * 1000;
async function worker() {
  while (performance.now() < deadline) {
    if (!(await bcrypt.compare(password, hash))) throw new Error('bcrypt.compare failed');
    if (performance.now() <= deadline) operations++;
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
console.log(JSON.stringify({ operationsPerSecond: operations / seconds, operations, seconds }));
