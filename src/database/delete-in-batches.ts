/** Rows deleted per statement, so that a large clean-up never holds many row locks at once. */
export const DELETE_BATCH_SIZE = 5_000;

/**
 * Runs `deleteBatch` (one statement deleting at most `limit` rows, returning how many it deleted) until
 * a batch comes back short; returns the total.
 */
export async function deleteInBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
  let deleted = 0;
  for (;;) {
    const count = await deleteBatch(DELETE_BATCH_SIZE);
    deleted += count;
    if (count < DELETE_BATCH_SIZE) return deleted;
  }
}
