import DataLoader from 'dataloader';

/**
 * Coalesces the calls made in one turn of the event loop (the requests parsed together) into one call
 * of `run`, typically one SQL statement. Nothing is cached: each call waits for a statement issued
 * after it was made, so what it reads is never older than the call.
 */
export function batchPerTurn<Key, Result>(
  run: (keys: readonly Key[]) => Promise<Result[]>,
  maxBatchSize: number,
): DataLoader<Key, Result> {
  return new DataLoader<Key, Result>(run, {
    cache: false,
    batchScheduleFn: (flush) => setImmediate(flush),
    maxBatchSize,
  });
}
