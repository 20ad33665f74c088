import {
  HISTORY_LIMIT,
  REVIEW_SAYS,
  basisOf,
  findTopic,
  maySee,
  notFoundForYou,
  presentHistory,
  presentReport,
  reportNotForYou,
  reportSince,
  reportUnavailable,
  type HistoryReply,
  type HistoryScope,
  type Knowledge,
  type Reply,
  type ReportReply,
  type Recommendation,
  type TopicId,
} from '../../src/index.ts';
import { knowledgeVersion } from './knowledge-version.ts';
import { CORRECTION_REPEAT_MS, newRecommendationId, questionRecord, type QuestionRecord } from './records.ts';
import type { StoreService, WhenUnsure } from './service.ts';
import type { StoredRecommendation } from './records.ts';

// What needs the store, done once for every surface. The commands whose answer is read from the store (history,
// report): a surface routes what was typed (src/present/router.ts), and when the reply is one of these it asks here,
// after its ack, saying who asks. A new store-backed command is a reply kind in the core and a case here; no surface
// changes. And what a click writes: feedback, a correction, a knowledge owner's review (the owner check is here).

/** Reply kinds the router can only announce: their content is read from the store. */
export const STORE_BACKED: ReadonlySet<Reply['kind']> = new Set<Reply['kind']>(['history', 'report']);

/** Whether `reply` must be completed from the store (after the platform's ack: the read may take a moment). */
export const fromStoreNeeded = (reply: Reply): boolean => STORE_BACKED.has(reply.kind);

/** Who asks, as the store-backed answers need it; each surface says it its own way. */
export interface Asker {
  /** One of KNOWLEDGE_OWNERS: may read the report. */
  owner: boolean;
  /**
   * What they may see (src/present/scope.ts); asked only for the history (Slack asks for channel memberships).
   * Undefined when the asker cannot be told apart (a Teams activity naming no sender): the history is not read.
   */
  scope(): Promise<HistoryScope | undefined>;
}

/** `history [customer]`: the recent recommendations the asker may see, within the store's deadline (or why not). */
export async function historyFor(store: StoreService | undefined, asker: Asker, customer: string | undefined): Promise<HistoryReply> {
  if (!store) return presentHistory(undefined, customer);
  const scope = await asker.scope();
  if (!scope) return presentHistory(undefined, customer);
  const past = await store.history({ scope, ...(customer ? { customer } : {}), limit: HISTORY_LIMIT });
  return presentHistory(past, customer, scope);
}

/** `report`: this week's report for a knowledge owner; for anyone else, why not. */
export async function reportFor(store: StoreService | undefined, knowledge: Knowledge, asker: Pick<Asker, 'owner'>, now = new Date()): Promise<ReportReply> {
  if (!asker.owner) return reportNotForYou();
  const [report, rechecked] = store ? await Promise.all([store.report(reportSince(now)), store.rechecked(knowledge, now.getTime())]) : [undefined, undefined];
  if (!report) return reportUnavailable();
  const lines = rechecked?.map((r) => ({ id: r.stored.id, customer: r.stored.customer, before: r.result.before, after: r.result.after, facts: r.result.facts })) ?? null;
  return presentReport({ ...report, rechecked: lines }, knowledge, now);
}

/** The router's reply, completed from the store when it is a store-backed one; any other reply as it is. */
export async function fromStore(store: StoreService | undefined, knowledge: Knowledge, reply: Reply, asker: Asker): Promise<Reply> {
  switch (reply.kind) {
    case 'history':
      return historyFor(store, asker, reply.customer);
    case 'report':
      return reportFor(store, knowledge, asker);
    default:
      return reply;
  }
}

/** Whether a platform user id is one of KNOWLEDGE_OWNERS (read lower-cased). */
export const isKnowledgeOwner = (owners: ReadonlySet<string>, userId: string | undefined): boolean => userId !== undefined && owners.has(userId.toLowerCase());

/** Who clicked: the platform and its user id (names are not kept). */
export interface Clicker {
  platform: 'slack' | 'teams';
  userId: string;
}

/** True the first time `key` is claimed, on any replica (StoreService.claim, or a replica's own memory without a store). */
export type Claim = (key: string, ttlMs: number, whenUnsure: WhenUnsure) => Promise<boolean>;

/** Helpful / Not helpful on the answer to a recorded question (fire and forget), with its text when the button carried it. */
export function recordFeedback(store: StoreService | undefined, by: Clicker, f: { question: string; rating: 'helpful' | 'not-helpful'; text?: string | undefined }): void {
  store?.recorder.feedback({ platform: by.platform, userId: by.userId, target: 'answer', targetId: f.question, rating: f.rating, ...(f.text ? { question: f.text } : {}) });
}

/** "Asked X, picked topic Y", once per person, question and topic whichever replica the clicks reach. */
export async function recordCorrection(store: StoreService | undefined, claim: Claim, by: Clicker, c: { question: string; picked: TopicId; text: string }): Promise<void> {
  if (!store) return;
  if (!(await claim(`${by.platform}:correction:${by.userId}:${c.question}:${c.picked}`, CORRECTION_REPEAT_MS, 'skip'))) return;
  store.recorder.feedback({ platform: by.platform, userId: by.userId, target: 'answer', targetId: c.question, rating: 'correction', topic: c.picked, question: c.text });
}

/**
 * What became of a review: saved; refused (not an owner, or Accept of a topic that is gone), with why; not saved (the
 * store did not answer), with what to say; or `stale`: the button's data was not a review.
 */
export type ReviewOutcome = { saved: true } | { stale: true } | { refused: string } | { unsaved: string };

/**
 * A knowledge owner's Accept / Dismiss on a group of corrections (the question as stored, the topic picked). Checked
 * in this order: an owner, a review read from the button, a topic the knowledge still has (for Accept), the store.
 */
export async function reviewCorrection(
  store: StoreService | undefined,
  knowledge: Knowledge,
  reviewer: { owner: boolean; userId: string },
  review: { question: string; picked: string; verdict: 'accepted' | 'dismissed' } | undefined,
): Promise<ReviewOutcome> {
  if (!reviewer.owner) return { refused: REVIEW_SAYS.notOwner };
  if (!review) return { stale: true };
  if (review.verdict === 'accepted' && !findTopic(knowledge, review.picked as TopicId)) return { refused: REVIEW_SAYS.topicGone(review.picked) };
  const covered = store ? await store.reviewCorrections({ question: review.question, picked: review.picked }, review.verdict, reviewer.userId) : undefined;
  return covered === undefined ? { unsaved: REVIEW_SAYS.unsaved } : { saved: true };
}

/**
 * The record of the question a reply answers, made before the reply is drawn (its id goes into the feedback buttons);
 * undefined without a store, without someone to record it for, or for a reply that answers no question. Hand it to
 * recordQuestion after the reply has gone: the store is never on the way to the answer.
 */
export function questionToRecord(store: StoreService | undefined, reply: Reply, by: { platform: Clicker['platform']; userId: string | undefined }): QuestionRecord | undefined {
  return store && by.userId ? questionRecord(reply, by.platform, by.userId) : undefined;
}

/** Hands a question to the recorder (fire and forget: never waits, never throws). */
export function recordQuestion(store: StoreService | undefined, question: QuestionRecord | undefined): void {
  if (question) store?.recorder.question(question);
}

/** A recommendation once it is posted (fire and forget), with where it went and the knowledge it was made with. */
export function recordRecommendation(
  store: StoreService | undefined,
  knowledge: Knowledge,
  by: Clicker & { workspace: string | undefined },
  made: { recommendation: Recommendation; channelId: string | undefined; messageRef: string | undefined; messageLink?: string | undefined },
): void {
  store?.recorder.recommendation({
    id: newRecommendationId(),
    platform: by.platform,
    userId: by.userId,
    workspace: by.workspace ?? null,
    channelId: made.channelId ?? null,
    messageRef: made.messageRef ?? null,
    messageLink: made.messageLink ?? null,
    recommendation: made.recommendation,
    knowledgeVersion: knowledgeVersion(knowledge),
    basis: basisOf(made.recommendation.requirements, knowledge),
  });
}

/** Said when the history cannot be read, for a list or for one entry. */
const HISTORY_UNREADABLE = 'The history cannot be read right now (the store does not answer). Please try again in a minute.';

/**
 * A recommendation by its id (a history entry's Open, or Edit of one too large to carry its requirements), when
 * the asker may see it (src/present/scope.ts); or what to tell them. Someone else's entry gets the same words as one
 * that does not exist, so a forged id learns nothing; `where` says where to find the ones they can see.
 */
export async function pastRecommendationFor(
  store: StoreService | undefined,
  asker: Pick<Asker, 'scope'>,
  id: string,
  where: string,
): Promise<{ stored: StoredRecommendation; scope: HistoryScope } | { said: string }> {
  // Both at once, whether or not the id exists: the answer takes as long either way.
  const [found, scope] = await Promise.all([store ? store.recommendation(id) : Promise.resolve(undefined), asker.scope()]);
  if (found && scope && maySee(scope, found)) return { stored: found, scope };
  return { said: found !== undefined ? notFoundForYou(id, where) : HISTORY_UNREADABLE };
}
