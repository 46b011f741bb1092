/** Names of the per-worker test databases of one run. */
export function workerDatabaseNames(runId: string): { forWorker: (workerId: string) => string; pattern: string } {
  return {
    forWorker: (workerId) => `fungame_test_${runId}_w${workerId}`,
    pattern: `fungame_test_${runId}_w%`,
  };
}
