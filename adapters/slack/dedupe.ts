// Remembers recent deliveries so a redelivered event (Slack retries carry X-Slack-Retry-Num), a double-clicked
// button or a twice-submitted form does its work once. In memory, bounded in size and time: the duplicates this
// guards against arrive within seconds, from the same Slack request stream this process receives.

export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 10_000,
  ) {}

  /** True the first time a key is seen within the TTL; false for a repeat. */
  firstTime(key: string, now = Date.now()): boolean {
    const at = this.seen.get(key);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }
}
