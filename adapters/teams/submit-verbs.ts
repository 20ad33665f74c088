import type { TurnContext } from 'botbuilder';
import { actionReply, prefillFrom, presentHelp, presentPastRecommendation, recommendationWithReply, validateRequirements } from '../../src/index.ts';
import type { RequestKind } from '../request-kind.ts';
import { RECOMMENDATION_ID } from '../carried.ts';
import { recordRecommendation } from '../store/answers.ts';
import { SUBMIT } from './cards/common.ts';
import { formCard, readForm } from './cards/form.ts';
import { helpCard } from './cards/help.ts';
import { teamsCard } from './cards/reply.ts';
import { firstSubmit, readRecommendation, recordCorrection, recordFeedback, reviewCorrection, verifyTopic } from './store-replies.ts';
import { correctionClick, feedbackClick, readAskExpert, readCorrection, readExpertClick, readFeedback, readTopicClick } from './submits.ts';
import { askExpert, markNewTopic, savePhrasing } from '../store/experts.ts';
import type { Claim } from '../store/answers.ts';
import { STALE_CARD, cardActivity, replaceOrSend, say, send, tenantOf, userOf, type BotDeps } from './turn.ts';

// A card's Action.Submit in a chat, routed by its verb (`action` in the data): one handler per verb. A handler
// answers false when the data is not what its card sends (an old or a forged card): the person is told so.

export type SubmitVerb = (typeof SUBMIT)[keyof typeof SUBMIT];
type OnSubmit = (deps: BotDeps, context: TurnContext, value: Record<string, unknown>) => Promise<boolean>;

/** What a card's button asks for, for coexist_requests_total. */
const REQUEST_KIND: Record<SubmitVerb, RequestKind> = {
  [SUBMIT.submitForm]: 'recommendation',
  [SUBMIT.edit]: 'form',
  [SUBMIT.openForm]: 'form',
  [SUBMIT.openRecommendation]: 'history',
  [SUBMIT.reviewCorrection]: 'report',
  [SUBMIT.compare]: 'compare',
  [SUBMIT.topic]: 'question',
  [SUBMIT.help]: 'help',
  [SUBMIT.feedback]: 'feedback',
  [SUBMIT.correct]: 'feedback',
  [SUBMIT.openUpdated]: 'recommendation',
  [SUBMIT.askExpert]: 'expert',
  [SUBMIT.savePhrasing]: 'expert',
  [SUBMIT.newTopic]: 'expert',
  [SUBMIT.verify]: 'verify',
  [SUBMIT.needsChange]: 'verify',
};

const isVerb = (action: unknown): action is SubmitVerb => typeof action === 'string' && Object.hasOwn(REQUEST_KIND, action);
export const submitKind = (action: unknown): RequestKind => (isVerb(action) ? REQUEST_KIND[action] : 'other');

const ON_SUBMIT: Record<SubmitVerb, OnSubmit> = {
  [SUBMIT.submitForm]: async (deps, context, value) => {
    const kb = deps.knowledge;
    const { values, input } = readForm(value);
    const valid = validateRequirements(input);
    if (!valid.ok) {
      await replaceOrSend(deps, context, formCard(kb, values, valid.errors));
      return true;
    }
    if (!(await firstSubmit(deps, context, valid.requirements))) return true;
    const { recommendation, reply } = recommendationWithReply(valid.requirements, kb);
    const messageRef = await replaceOrSend(deps, context, teamsCard(reply, kb, context.activity.from?.name ? { requestedBy: context.activity.from.name } : {}));
    const user = userOf(context);
    if (user) recordRecommendation(deps.store, kb, { platform: 'teams', userId: user, workspace: tenantOf(context) }, { recommendation, channelId: context.activity.conversation?.id, messageRef });
    return true;
  },
  [SUBMIT.edit]: async (deps, context, value) => {
    // From a recommendation (and most history entries): the requirements themselves. From a history entry too large
    // to carry them: its id, read from the store like Open.
    if (value.requirements === undefined && value.id !== undefined) {
      const stored = await readRecommendation(deps, context, value.id);
      if (stored) await send(deps, context, cardActivity(formCard(deps.knowledge, prefillFrom(stored.requirements))));
      return true;
    }
    await send(deps, context, cardActivity(formCard(deps.knowledge, prefillFrom(value.requirements))));
    return true;
  },
  [SUBMIT.openRecommendation]: async (deps, context, value) => {
    const stored = await readRecommendation(deps, context, value.id);
    const viewer = userOf(context);
    if (stored) await send(deps, context, cardActivity(teamsCard(presentPastRecommendation(stored, deps.knowledge), deps.knowledge, viewer ? { viewer } : {})));
    return true;
  },
  // A recheck note's "Open the updated recommendation": made again from the requirements the card carried, under
  // today's knowledge, with Edit requirements. Data that is not a recommendation's id and requirements is stale.
  [SUBMIT.openUpdated]: async (deps, context, value) => {
    const valid = typeof value.id === 'string' && RECOMMENDATION_ID.test(value.id) ? validateRequirements(value.requirements) : undefined;
    if (!valid?.ok) return false;
    const reply = actionReply(deps.knowledge, { id: 'open-updated', payload: { recommendation: value.id as string, requirements: valid.requirements } }, deps.present);
    if (!reply) return false;
    await send(deps, context, cardActivity(teamsCard(reply, deps.knowledge)));
    return true;
  },
  [SUBMIT.reviewCorrection]: async (deps, context, value) => {
    await reviewCorrection(deps, context, value);
    return true;
  },
  [SUBMIT.openForm]: async (deps, context) => {
    await send(deps, context, cardActivity(formCard(deps.knowledge)));
    return true;
  },
  [SUBMIT.compare]: async (deps, context) => {
    await send(deps, context, cardActivity(teamsCard(actionReply(deps.knowledge, { id: 'compare', payload: undefined }, deps.present)!, deps.knowledge)));
    return true;
  },
  [SUBMIT.topic]: async (deps, context, value) => {
    const kb = deps.knowledge;
    const click = readTopicClick(value);
    const reply = click && actionReply(kb, click, deps.present);
    if (!reply) return false;
    await send(deps, context, cardActivity(teamsCard(reply, kb)));
    return true;
  },
  [SUBMIT.help]: async (deps, context) => {
    await send(deps, context, cardActivity(helpCard(presentHelp(deps.knowledge))));
    return true;
  },
  [SUBMIT.feedback]: async (deps, context, value) => {
    const kb = deps.knowledge;
    const feedback = readFeedback(value, kb);
    if (!feedback) return false;
    // Not helpful on an answer whose buttons say what was asked: the closest topics, to pick the one meant.
    const reply = feedbackClick(feedback) && actionReply(kb, feedbackClick(feedback)!, deps.present);
    if (reply?.kind === 'not-helpful') {
      await send(deps, context, cardActivity(teamsCard(reply, kb, { correct: { question: feedback.question } })));
    } else {
      await say(deps, context, feedback.rating === 'helpful' ? 'Thanks for the feedback.' : 'Thanks: noted for whoever keeps the answers up to date. Type **topics** to see what I know about.');
    }
    recordFeedback(deps, context, feedback.question, feedback.rating, feedback.asked?.text);
    return true;
  },
  [SUBMIT.correct]: async (deps, context, value) => {
    // A topic picked after Not helpful or "Which do you mean?": its answer takes the offer's place, and the pick is a correction.
    const kb = deps.knowledge;
    const correction = readCorrection(value, kb);
    const reply = correction && actionReply(kb, correctionClick(correction), deps.present);
    if (!correction || !reply) return false;
    await replaceOrSend(deps, context, teamsCard(reply, kb));
    await recordCorrection(deps, context, correction);
    return true;
  },
  // *Ask an expert*: the question recorded and posted to TEAMS_EXPERTS_CHANNEL; the asker is told that it went, or
  // why not, with their question.
  [SUBMIT.askExpert]: async (deps, context, value) => {
    const ask = readAskExpert(value, deps.knowledge);
    const user = userOf(context);
    if (!ask || !user || !deps.experts) return false;
    const name = context.activity.from?.name;
    const notice = await askExpert(deps.experts, claimOf(deps), { platform: 'teams', userId: user, ...(name ? { name } : {}), workspace: tenantOf(context) ?? null }, ask);
    await send(deps, context, cardActivity(teamsCard(notice, deps.knowledge)));
    return true;
  },
  // On an expert's relayed answer, in the experts' thread: Save as a phrasing of…, Needs a new topic.
  [SUBMIT.savePhrasing]: async (deps, context, value) => {
    const v = readExpertClick(value);
    const user = userOf(context);
    if (!v?.topic || !user || !deps.experts) return false;
    await send(deps, context, cardActivity(teamsCard(await savePhrasing(deps.experts, claimOf(deps), { platform: 'teams', userId: user, channelId: channelOf(context) }, { expertQuestion: v.expertQuestion, topic: v.topic }), deps.knowledge)));
    return true;
  },
  [SUBMIT.newTopic]: async (deps, context, value) => {
    const v = readExpertClick(value);
    const user = userOf(context);
    if (!v || !user || !deps.experts) return false;
    await send(deps, context, cardActivity(teamsCard(await markNewTopic(deps.experts, { platform: 'teams', userId: user, channelId: channelOf(context) }, { expertQuestion: v.expertQuestion }), deps.knowledge)));
    return true;
  },
  [SUBMIT.verify]: (deps, context, value) => verifyTopic(deps, context, value, 'verified'),
  [SUBMIT.needsChange]: (deps, context, value) => verifyTopic(deps, context, value, 'needs-change'),
};

/** A channel conversation's id without its thread (`;messageid=…`): where a card in a channel was clicked; undefined outside channels. */
const channelOf = (context: TurnContext): string | undefined => {
  const conversation = context.activity.conversation;
  if (conversation?.conversationType !== 'channel' || !conversation.id) return undefined;
  return conversation.id.split(';messageid=')[0];
};

/** A claim in the store, or (no store) true: *Ask an expert* needs the store anyway, and says so without it. */
const claimOf = (deps: BotDeps): Claim => (key, ttl, whenUnsure) => (deps.store ? deps.store.claim(key, ttl, whenUnsure) : Promise.resolve(true));

/** A submit in a chat: its verb's handler, or, for an unknown verb or data its card never sends, the stale-card reply. */
export async function onSubmit(deps: BotDeps, context: TurnContext, value: Record<string, unknown>): Promise<void> {
  if (isVerb(value.action) && (await ON_SUBMIT[value.action](deps, context, value))) return;
  deps.log.warn({ action: String(value.action).slice(0, 50) }, 'unknown card action');
  await say(deps, context, STALE_CARD);
}
