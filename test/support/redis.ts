import Redis from 'ioredis';
import { ChildProcess, spawn } from 'node:child_process';
import { setTimeout } from 'node:timers/promises';

/** A redis-server of the test's own, on a free port of loopback, with nothing saved to disk. */
export interface OwnRedisServer {
  url: string;
  /** Kills it (SIGKILL, as a crash would), by its pid, and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  restart(): Promise<void>;
}

export async function startOwnRedisServer(port: number): Promise<OwnRedisServer> {
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    let failure: Error | undefined;
    // Not installed (ENOENT): fail the test, which CI runs whether or not the binary is there.
    child.once('error', (error) => (failure = error));
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(url))) {
      if (failure) throw new Error(`redis-server could not be started: ${failure.message}`);
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on ${url}`);
      await setTimeout(50);
    }
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(running.pid!, 'SIGKILL');
    await exited;
  };
  await start();
  return { url, kill, restart: start };
}

/** Whether a Redis answers at `url`. */
async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
