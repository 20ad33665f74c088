import { createHash } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import {
  historyOnlyInPersonalChat,
  historyScope,
  type HistoryScope,
  type Reply,
  type ReportReply,
  type Requirements,
} from '../../src/index.ts';
import { fromStore, isKnowledgeOwner, pastRecommendationFor, recordCorrection as recordCorrectionIn, recordFeedback as recordFeedbackIn, reportFor, reviewCorrection as reviewIn, type Asker } from '../store/answers.ts';
import { teamsCard } from './cards/reply.ts';
import { TEAMS_DEDUPE } from './limits.ts';
import { readRecommendationId, readReview, readVerify, type CorrectionSubmit } from './submits.ts';
import { recordVerdict } from '../store/verifications.ts';
import { STALE_CARD, cardActivity, isPersonal, note, ownerIdOf, replaceOrSend, say, send, tenantOf, userOf, type BotDeps } from './turn.ts';

// What the Teams bot reads from and writes to the store: history, a recommendation by id, the report and its
// reviews, feedback and corrections, and the claim that makes a form submit post once.

/** Lists for one person (their history, a recommendation from it, the report) are shown only in a personal chat. */
const PERSONAL_ONLY = {
  history: historyOnlyInPersonalChat,
  report: 'The report is shown only in a personal chat with me, so what people asked stays with the knowledge owners: open a chat with me and type **report**.',
} as const;

/**
 * What `viewer` may see (src/present/scope.ts), within the tenant the activity comes from: their own, those made in
 * the channel or group chat they ask from (they are evidently a member; Teams cannot list a user's conversations),
 * or, for SALES_LEADS, all of the tenant.
 */
function scopeOf(deps: BotDeps, context: TurnContext, viewer: string): HistoryScope {
  const conversation = context.activity.conversation;
  const here = !isPersonal(context) && conversation?.id ? [conversation.id] : [];
  return historyScope({ platform: 'teams', workspace: tenantOf(context), userId: viewer, conversations: here, conversationsKnown: true, lead: deps.leads.has(viewer.toLowerCase()) });
}

/** Who asks in Teams, for the store-backed answers (adapters/store/answers.ts). */
function askerOf(deps: BotDeps, context: TurnContext): Asker {
  const viewer = userOf(context);
  return { owner: isOwner(deps, context), scope: async () => (viewer ? scopeOf(deps, context, viewer) : undefined) };
}

/**
 * History and the report, typed to the bot: only in a personal chat, where the list is the asker's alone (a bot's
 * reply in a channel or group chat is seen by everyone there, and Teams has no message for one person).
 */
export async function sendFromStore(deps: BotDeps, context: TurnContext, routed: Reply): Promise<void> {
  if (!isPersonal(context)) {
    await say(deps, context, routed.kind === 'report' ? PERSONAL_ONLY.report : PERSONAL_ONLY.history);
    return;
  }
  const viewer = userOf(context);
  const reply = await fromStore(deps.store, deps.knowledge, routed, askerOf(deps, context));
  await send(deps, context, cardActivity(teamsCard(reply, deps.knowledge, viewer ? { viewer } : {})));
}

/**
 * A history entry by its id (Open, or Edit of an entry too large to carry its requirements): only in a personal
 * chat, like the history. Undefined, the user told why, when it is not shown.
 */
export async function readRecommendation(deps: BotDeps, context: TurnContext, value: unknown) {
  if (!isPersonal(context)) {
    await say(deps, context, PERSONAL_ONLY.history);
    return undefined;
  }
  const id = readRecommendationId(value);
  if (!id) {
    deps.log.warn({ id: String(value).slice(0, 50) }, 'unknown recommendation id in a card action');
    await say(deps, context, STALE_CARD);
    return undefined;
  }
  // An activity that names no sender has no scope: it sees nothing ("not found", as for someone else's entry).
  const found = await pastRecommendationFor(deps.store, askerOf(deps, context), id, 'Type **history** for the ones you can see.');
  if ('stored' in found) return found.stored;
  await say(deps, context, found.said);
  return undefined;
}

const isOwner = (deps: BotDeps, context: TurnContext): boolean => isKnowledgeOwner(deps.owners, ownerIdOf(context));

/** This week's report for a knowledge owner; for anyone else, why not. */
const reportReply = (deps: BotDeps, context: TurnContext): Promise<ReportReply> => reportFor(deps.store, deps.knowledge, { owner: isOwner(deps, context) });

/** The report's Accept / Dismiss: saved for the group of corrections, then the report again in the card's place. */
export async function reviewCorrection(deps: BotDeps, context: TurnContext, value: Record<string, unknown>): Promise<void> {
  if (!isPersonal(context)) {
    await say(deps, context, PERSONAL_ONLY.report);
    return;
  }
  const outcome = await reviewIn(deps.store, deps.knowledge, { owner: isOwner(deps, context), userId: ownerIdOf(context) ?? '' }, readReview(value));
  if ('stale' in outcome) {
    deps.log.warn('malformed correction review in a card action');
    await say(deps, context, STALE_CARD);
    return;
  }
  if (!('saved' in outcome)) {
    await say(deps, context, 'refused' in outcome ? outcome.refused : outcome.unsaved);
    return;
  }
  const reply = await reportReply(deps, context);
  // A report that cannot be read now does not replace the one on screen.
  if (reply.unavailable) await send(deps, context, cardActivity(teamsCard(reply, deps.knowledge)));
  else await replaceOrSend(deps, context, teamsCard(reply, deps.knowledge));
}

/**
 * False for a form submit already handled, by this replica or another (claimed in the store): the same activity
 * redelivered, or the same person submitting the same values from the same form again at once (a double click on a
 * form that could not be replaced). Keys and how long they hold: TEAMS_DEDUPE. A store that cannot answer in time
 * lets it through ('act'): for a recommendation, a duplicate is better than no post.
 */
export async function firstSubmit(deps: BotDeps, context: TurnContext, requirements: Requirements): Promise<boolean> {
  if (!deps.store) return true;
  const { id, replyToId, conversation } = context.activity; // read before any wait: the turn may be over by then
  const user = userOf(context) ?? '';
  const where = conversation?.id ?? '';
  const content = createHash('sha256').update(JSON.stringify(requirements)).digest('hex');
  const duplicate =
    (id !== undefined && !(await deps.store.claim(`teams:activity:${where}:${id}`, TEAMS_DEDUPE.redeliveryMs, 'act'))) ||
    !(await deps.store.claim(`teams:submit:${user}:${where}:${replyToId ?? ''}:${content}`, TEAMS_DEDUPE.doubleClickMs, 'act'));
  if (duplicate) note(context, { duplicate: true });
  if (duplicate) deps.log.info({ activityId: id, replyToId }, 'duplicate form submit ignored (redelivered or double-clicked)');
  return !duplicate;
}

/** Feedback on an answer (fire and forget), with the question's text when the button carried it. */
export function recordFeedback(deps: BotDeps, context: TurnContext, question: string, rating: 'helpful' | 'not-helpful', text: string | undefined): void {
  const user = userOf(context);
  if (user) recordFeedbackIn(deps.store, { platform: 'teams', userId: user }, { question, rating, text });
}

/** "Asked X, picked topic Y", once per person, question and topic whichever replica the clicks reach. */
export async function recordCorrection(deps: BotDeps, context: TurnContext, c: CorrectionSubmit): Promise<void> {
  const user = userOf(context); // read before any wait: the turn may be over by then
  const store = deps.store;
  if (!store || !user) return;
  await recordCorrectionIn(store, (key, ttl, whenUnsure) => store.claim(key, ttl, whenUnsure), { platform: 'teams', userId: user }, c);
}

/**
 * A verifier's Still correct / Needs a change on a reminder card: recorded for a verifier of the topic (their AAD
 * object id, on the Teams channel only, as for the owners) or a knowledge owner; they are told what was recorded, or why not.
 */
export async function verifyTopic(deps: BotDeps, context: TurnContext, value: Record<string, unknown>, verdict: 'verified' | 'needs-change'): Promise<boolean> {
  const click = readVerify(value);
  if (!click) return false;
  const who = ownerIdOf(context);
  const outcome = await recordVerdict(deps.store, deps.verifications, deps.knowledge, { platform: 'teams', userId: who ?? '', owner: isOwner(deps, context) }, { ...click, verdict });
  if (!outcome.recorded) deps.log.warn({ topic: click.topic, verdict }, `verification not recorded: ${outcome.said}`);
  await say(deps, context, `${outcome.recorded ? '✅ ' : ''}${outcome.said}`);
  return true;
}
