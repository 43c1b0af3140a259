/** Small helpers shared by the actions. */

/** Lets timers and I/O run between synchronous SQLite batches. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
