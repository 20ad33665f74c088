import type { Logger } from 'pino';
import { VERIFY_SAYS, addDays, dayString, mayVerify, sourceChangeDaysByTopic, topicReview, type Knowledge, type VerificationState } from '../../src/index.ts';
import { DAY_MS, MINUTE_MS } from '../../src/time.ts';
import { knowledgeVersion } from './knowledge-version.ts';
import type { StoreService } from './service.ts';
import { SOURCE_CHANGES_DAYS } from './store.ts';

// The stored verifications as the running product keeps them: in memory (the core reads them with today's date and
// never waits on the store), loaded when the store opens, refreshed every few minutes (a verification made on
// another replica shows within that time) and at once on this replica after a Still correct.

/** How often the stored dates are read again. */
export const VERIFICATIONS_REFRESH_MS = 5 * MINUTE_MS;
/**
 * The most changes read (newest first). The watch stores at most one change per page a day, so this covers 50 pages
 * changing every day for the whole 400 days: the first change after a topic's last verification is not cut off.
 */
export const SOURCE_CHANGES_READ = 20_000;

export class Verifications {
  private dates = new Map<string, string>();
  /** Per topic, the days pages it cites changed (the source watch). */
  private sourceChanged = new Map<string, readonly string[]>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: StoreService | undefined,
    private readonly clock: () => number = Date.now,
    /** The knowledge whose topics cite the watched pages: without it, page changes are not read. */
    private readonly knowledge?: Knowledge,
  ) {}

  /** What the core is handed: today (UTC) and each topic's newest stored verification day. */
  state(now = this.clock()): VerificationState {
    return { today: dayString(now), verified: this.dates, ...(this.sourceChanged.size > 0 ? { sourceChanged: this.sourceChanged } : {}) };
  }

  /** Reads the stored dates again; false (keeping what it had) when the store cannot answer. */
  async refresh(): Promise<boolean> {
    const latest = await this.store?.latestVerifications();
    if (!latest) return false;
    this.dates = new Map(latest.map((v) => [v.topic, dayString(v.at)]));
    if (this.knowledge) {
      const changes = await this.store?.sourceChangesSince(new Date(this.clock() - SOURCE_CHANGES_DAYS * DAY_MS), SOURCE_CHANGES_READ);
      if (changes) this.sourceChanged = sourceChangeDaysByTopic(this.knowledge, changes);
    }
    return true;
  }

  /** A verification this replica just stored: shown at once, before the next refresh. */
  note(topic: string, day: string): void {
    const known = this.dates.get(topic);
    if (known === undefined || day > known) this.dates = new Map(this.dates).set(topic, day);
  }

  /** Refreshes now and then every `everyMs` (the timer does not keep the process alive). */
  start(everyMs = VERIFICATIONS_REFRESH_MS, logger?: Logger): void {
    if (this.stopped || this.timer) return;
    const run = () => void this.refresh().catch((err: unknown) => logger?.warn({ err: (err as Error).message }, 'reading the stored verifications failed'));
    run();
    this.timer = setInterval(run, everyMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Who pressed a reminder's button. */
export interface Verifier {
  platform: 'slack' | 'teams';
  userId: string;
  /** One of KNOWLEDGE_OWNERS. */
  owner: boolean;
}

/** What a reminder's button asks: the topic, the knowledge version it showed, and the verdict. */
export interface VerdictClick {
  topic: string;
  version: string;
  verdict: 'verified' | 'needs-change';
}

/**
 * A verifier's Still correct or Needs a change, recorded: checked in this order: a topic the knowledge has, a
 * verifier of it (or an owner), the store. Returns what to tell them, the same words on every surface.
 */
export async function recordVerdict(
  store: StoreService | undefined,
  verifications: Verifications | undefined,
  knowledge: Knowledge,
  who: Verifier,
  click: VerdictClick,
  now = Date.now(),
): Promise<{ recorded: boolean; said: string }> {
  const state = verifications?.state(now) ?? { today: dayString(now), verified: new Map<string, string>() };
  const review = topicReview(knowledge, click.topic, state);
  if (!review) return { recorded: false, said: VERIFY_SAYS.topicGone(click.topic) };
  if (!mayVerify(review, who.userId, who.owner)) return { recorded: false, said: VERIFY_SAYS.notVerifier(review.title) };
  const stored = store
    ? await store.recordVerification({ topic: review.topic, verdict: click.verdict, platform: who.platform, userId: who.userId, at: now, knowledgeVersion: click.version || knowledgeVersion(knowledge) })
    : undefined;
  if (!stored) return { recorded: false, said: VERIFY_SAYS.unsaved };
  if (click.verdict === 'needs-change') return { recorded: true, said: VERIFY_SAYS.needsChange(review.title) };
  verifications?.note(review.topic, state.today);
  return { recorded: true, said: VERIFY_SAYS.verified(review.title, state.today, addDays(state.today, review.every)) };
}
