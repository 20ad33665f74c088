import { REMEMBERED } from '../carried.ts';

// How long a delivery's key is held, and the in-memory fallback for a face that runs without a store. With a store
// (the product), keys are claimed in it (StoreService.claim): a redelivered event (Slack retries carry
// X-Slack-Retry-Num), a double-clicked button or a twice-submitted form does its work once even when the
// duplicates reach different replicas.

// How long: ../carried.ts (REMEMBERED), with Teams' and the corrections'.
export const EVENT_KEY_TTL_MS = REMEMBERED.slackEventMs;
export const VIEW_KEY_TTL_MS = REMEMBERED.slackViewMs;
export const SHARE_KEY_TTL_MS = REMEMBERED.shareMs;

export class RecentKeys {
  /** Key → when it expires. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly max = 10_000) {}

  /** True the first time a key is seen within its TTL; false for a repeat. In this process's memory only. */
  firstTime(key: string, ttlMs: number, now = Date.now()): boolean {
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.delete(key);
    this.seen.set(key, now + ttlMs);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }
}
