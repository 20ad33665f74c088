// Waiting in tests for something the product does in its own time (a message posted, a record kept).

/**
 * Polls `probe` every 20 ms until it gives a truthy value, and returns that value; throws "timed out waiting for
 * `what`" once `deadlineMs` has passed without one.
 */
export async function until<T>(probe: () => Promise<T | null | undefined> | T | null | undefined, what: string, deadlineMs = 8000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
