// The login scenario's baseline: raw bcrypt.compare throughput at a given cost in a plain Node process,
// with as many comparisons in flight as the login scenario has connections. Forked by bench/run.mjs with
// the same UV_THREADPOOL_SIZE as the server; it idles until asked for a round, so that its rounds can
// alternate with the login rounds. Message in: {"seconds": n}; message out: {"operations": count}.
import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';

const cost = Number(process.argv[2] ?? 12);
const inFlight = Number(process.argv[3] ?? 4);

const password = 'Passw0rd!bench';
const hash = await bcrypt.hash(password, cost);
await bcrypt.compare(password, hash); // warm-up

/** Counted as autocannon counts requests: those completed within the round. */
async function round(seconds) {
  let operations = 0;
  const deadline = performance.now() + seconds * 1000;
  async function worker() {
    while (performance.now() < deadline) {
      if (!(await bcrypt.compare(password, hash))) throw new Error('bcrypt.compare failed');
      if (performance.now() <= deadline) operations++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
  return operations;
}

process.on('message', ({ seconds }) => {
  round(seconds).then(
    (operations) => process.send({ operations }),
    (error) => {
      console.error(error);
      process.exit(1); // the bench sees the exit and stops, rather than wait for an answer
    },
  );
});
process.send({ ready: true });
