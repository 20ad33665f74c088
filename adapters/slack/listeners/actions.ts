import type { BlockAction, RespondFn } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { VERIFY_SAYS, actionAnswer, actionReply, mayReuseChannel, prefillFrom, presentComparison, presentPastRecommendation, validateRequirements, type TopicId, type TopicRef } from '../../../src/index.ts';
import { answerMessage } from '../blocks/answer.ts';
import { ACTIONS, COMMAND, section, type ActionId, type Block } from '../blocks/common.ts';
import { comparisonLines, comparisonMessage } from '../blocks/comparison.ts';
import { SHARE_KEY_TTL_MS } from '../dedupe.ts';
import { pastRecommendationFor, recordCorrection, recordFeedback, reviewCorrection } from '../../store/answers.ts';
import { notHelpfulMessage } from '../blocks/answer.ts';
import { recommendationMessage } from '../blocks/recommendation.ts';
import { reportMessage, trainingLinesView } from '../blocks/report.ts';
import { askerOf, isOwner, reportReply, teamOf, type SlackDeps } from '../deps.ts';
import { publishHome } from './events.ts';
import { deliveryOutcome, postOrDeliverToUser } from '../delivery.ts';
import type { InteractionOutcome } from '../interactions.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, plain } from '../text.ts';
import { expertNoticeMessage } from '../blocks/experts.ts';
import { askExpert, markNewTopic, savePhrasing } from '../../store/experts.ts';
import { readAskExpertValue, readExpertTopicValue, readCorrectionValue, readEditValue, readFeedbackValue, readOpenUpdatedValue, readRecommendationId, readReviewValue, readShareValue, readTopicValue, readVerifyValue, type TopicValue } from '../values.ts';
import { recordVerdict } from '../../store/verifications.ts';
import { openRequirementsModal } from './modal.ts';
import { respondWithComparison } from './respond.ts';
import type { ButtonArgs, ListenerTable } from './table.ts';
import { REMEMBERED } from '../../carried.ts';

// Buttons. Each button carries what it needs in its value (values.ts), so no click depends on server-side state.

type Handler = (args: ButtonArgs) => Promise<void | InteractionOutcome | undefined>;

/** A modal showing a recommendation (or why it cannot be shown): App Home has no message to answer. */
const recommendationModal = (blocks: Block[]): ModalView => ({ type: 'modal', title: plain('Recommendation', SLACK_LIMITS.viewTitle), close: plain('Close', SLACK_LIMITS.viewClose), blocks });

/** "Not helpful" offers the closest topics once per answer and person (the buttons toggle, and a toggle is a click). */
const NOT_HELPFUL_OFFER_TTL_MS = REMEMBERED.notHelpfulOfferMs;

async function staleButton(respond: RespondFn): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: 'That button is from an older version of this message. Please ask again with /coexist-vs-api.' });
}

/** A topic button's value as the core action's payload (which topic, the question, the second topic, details). */
const topicRef = (v: TopicValue): TopicRef => ({
  topic: v.topic as TopicId,
  ...(v.question ? { question: v.question } : {}),
  ...(v.also ? { also: v.also as TopicId } : {}),
  ...(v.details ? { details: true } : {}),
});

/** The value of another button in the same message (the rest of long notes rides on "Full comparison"). */
function siblingValue(body: BlockAction, actionId: string): string | undefined {
  const blocks = (body.message?.blocks ?? []) as Block[];
  for (const b of blocks) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements) if (e.type === 'button' && e.action_id === actionId) return e.value;
  }
  return undefined;
}

/** The reply to a button whose id no handler has: a message from an older version of the app, or a forged one. */
export const UNKNOWN_BUTTON = `This button is from an older version of the app, so it does nothing now. Please ask again with ${COMMAND}.`;

/** The handler of each registered action id (ACTIONS), by exact id. */
export function actionHandlers(deps: SlackDeps): Map<ActionId, Handler> {
  const { knowledge } = deps;
  const handlers = new Map<ActionId, Handler>();
  const on = (actionId: ActionId, handler: Handler) => handlers.set(actionId, handler);

  on(ACTIONS.share, async ({ ack, body, action, client, respond }) => {
    await ack();
    const share = readShareValue(action.value);
    const channel = body.channel?.id;
    if (!share || !channel) return staleButton(respond);
    // A double click shares once, whichever replicas the clicks reach: the same person sharing the same thing to
    // the same place within a minute. Claimed in the store, after the ack.
    if (!(await deps.claim(`slack:share:${body.user.id}:${channel}:${action.value}`, SHARE_KEY_TTL_MS, 'act'))) return;
    const thread = 'thread' in share ? share.thread : undefined;
    const shown = actionReply(knowledge, { id: 'share', payload: 'comparison' in share ? { comparison: true } : topicRef(share) }, deps.present);
    let message;
    if (shown?.kind === 'comparison') message = comparisonMessage(shown, { table: true, shareable: false, sharedBy: body.user.id });
    else if (shown?.kind === 'answer') message = answerMessage(shown, { audience: 'shared', sharedBy: body.user.id, details: 'details' in share && Boolean(share.details) });
    else return staleButton(respond);
    const delivery = await postOrDeliverToUser(client, deps.logger, { channel, user: body.user.id, ...message, what: 'answer', ...(thread ? { threadTs: thread } : {}) }, deps.webApi);
    if (delivery.outcome === 'posted' || delivery.outcome === 'plain') await respond({ delete_original: true });
    return deliveryOutcome(delivery);
  });

  // Block Kit's feedback buttons on an answer: each click is recorded (the buttons toggle, and Slack sends every
  // change). "Not helpful" also offers the topics closest to the question, once per answer: picking one is a
  // correction (below).
  on(ACTIONS.feedback, async ({ ack, body, action, respond }) => {
    await ack();
    const feedback = readFeedbackValue(action.value);
    if (!feedback) return;
    recordFeedback(deps.store, { platform: 'slack', userId: body.user.id }, feedback);
    const reply = actionReply(knowledge, { id: 'feedback', payload: { ...feedback, topic: feedback.topic as TopicId } }, deps.present);
    if (reply?.kind !== 'not-helpful') return;
    if (!(await deps.claim(`slack:not-helpful:${body.user.id}:${feedback.question}`, NOT_HELPFUL_OFFER_TTL_MS, 'act'))) return;
    await respond({ response_type: 'ephemeral', replace_original: false, ...notHelpfulMessage(reply, deps.store ? feedback.question : undefined) });
  });

  // A topic picked after "Not helpful", or with "Which do you mean?": its answer replaces the offer, and the pick is recorded as a correction
  // ("asked X, picked topic Y"), once per person, question and topic whichever replica the clicks reach.
  on(ACTIONS.correct, async ({ ack, body, action, respond }) => {
    await ack();
    const correction = readCorrectionValue(action.value);
    const reply = correction && actionAnswer(knowledge, { id: 'correct', payload: { question: correction.question, picked: correction.picked as TopicId, answered: correction.answered as TopicId | null, text: correction.text } }, deps.present);
    if (!correction || !reply) return staleButton(respond);
    await respond({ response_type: 'ephemeral', replace_original: true, ...answerMessage(reply, { audience: 'ephemeral', ...(correction.thread ? { thread: correction.thread } : {}) }) });
    await recordCorrection(deps.store, deps.claim, { platform: 'slack', userId: body.user.id }, { question: correction.question, picked: reply.topic, text: correction.text });
  });

  // *Ask an expert*: the question recorded and posted to EXPERTS_CHANNEL; the asker is told, privately, that it went
  // (and where) or why not, with their question, so nothing they typed is lost.
  on(ACTIONS.askExpert, async ({ ack, body, action, respond }) => {
    await ack();
    const ask = readAskExpertValue(action.value);
    if (!ask || !deps.experts) return staleButton(respond);
    const name = (body.user as { name?: string; username?: string }).name ?? (body.user as { username?: string }).username;
    const notice = await askExpert(deps.experts, deps.claim, { platform: 'slack', userId: body.user.id, ...(name ? { name } : {}), workspace: teamOf(body) ?? null }, { question: ask.question, answered: ask.answered as TopicId | null });
    await respond({ response_type: 'ephemeral', replace_original: false, ...expertNoticeMessage(notice) });
  });

  // On an expert's relayed answer (in the experts' thread): the question saved as a phrasing of a topic (a correction
  // the knowledge owners review), or marked as needing a new topic. The expert alone is told.
  on(ACTIONS.savePhrasing, async ({ ack, body, action, respond }) => {
    await ack();
    const v = readExpertTopicValue(action.value);
    if (!v?.topic || !deps.experts) return staleButton(respond);
    const notice = await savePhrasing(deps.experts, deps.claim, { platform: 'slack', userId: body.user.id, channelId: body.channel?.id }, { expertQuestion: v.expertQuestion, topic: v.topic });
    await respond({ response_type: 'ephemeral', replace_original: false, ...expertNoticeMessage(notice) });
  });
  on(ACTIONS.newTopic, async ({ ack, body, action, respond }) => {
    await ack();
    const v = readExpertTopicValue(action.value);
    if (!v || !deps.experts) return staleButton(respond);
    const notice = await markNewTopic(deps.experts, { platform: 'slack', userId: body.user.id, channelId: body.channel?.id }, { expertQuestion: v.expertQuestion });
    await respond({ response_type: 'ephemeral', replace_original: false, ...expertNoticeMessage(notice) });
  });

  // A history entry (the history list, App Home): in full, to the asker alone; in a modal where there is no
  // message to answer (App Home).
  on(ACTIONS.openRecommendation, async (args) => {
    await args.ack();
    const found = await storedRecommendation(args);
    if (!found) return;
    const reply = presentPastRecommendation(found.stored, knowledge);
    if (args.body.response_url) {
      await args.respond({ response_type: 'ephemeral', replace_original: false, ...recommendationMessage(reply, { editable: true }) });
      return;
    }
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: recommendationModal(recommendationMessage(reply, { editable: false }).blocks) });
  });

  // A recheck note's "Open the updated recommendation": made again from the requirements its button carries, under
  // today's knowledge, to the clicker alone, with Edit requirements (which posts a new one where they choose).
  on(ACTIONS.openUpdated, async ({ ack, body, action, respond }) => {
    await ack();
    const value = readOpenUpdatedValue(action.value);
    const valid = value ? validateRequirements(value.requirements) : undefined;
    if (!value || !valid?.ok) return staleButton(respond);
    const reply = actionReply(knowledge, { id: 'open-updated', payload: { recommendation: value.id, requirements: valid.requirements } }, deps.present);
    if (reply?.kind !== 'recommendation') return staleButton(respond);
    const channel = body.channel?.id;
    await respond({ response_type: 'ephemeral', replace_original: false, ...recommendationMessage(reply, { editable: true, ...(channel ? { channel } : {}) }) });
  });

  // Edit a history entry: the form, prefilled with what it was made from; submitting makes a new recommendation.
  on(ACTIONS.editRecommendation, async (args) => {
    await args.ack();
    const found = await storedRecommendation(args);
    if (!found) return;
    const { stored, scope } = found;
    const { body, client, respond } = args;
    // Back to where it was posted only for the person who posted it: never someone else's (private) channel.
    const origin = (mayReuseChannel(scope, stored) ? stored.channelId : undefined) ?? body.channel?.id;
    await openRequirementsModal(client, deps, {
      triggerId: body.trigger_id,
      prefill: prefillFrom(stored.requirements),
      ...(origin ? { origin } : {}),
      onFail: async (text) => {
        if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
      },
    });
  });

  /**
   * The recommendation a history button names, from the store, when the clicker may see it (src/present/scope.ts);
   * or a word to the user on why not (ephemeral, or a small modal in App Home, where there is no message to answer).
   * Someone else's entry gets the same words as one that does not exist: a forged id learns nothing.
   */
  async function storedRecommendation({ action, body, client, respond }: ButtonArgs) {
    const id = readRecommendationId(action.value);
    if (!id) {
      await staleButton(respond);
      return undefined;
    }
    const found = await pastRecommendationFor(deps.store, askerOf(deps, client, { user: body.user.id, team: teamOf(body) }), id, `\`${COMMAND} history\` lists the ones you can see.`);
    if ('stored' in found) return found;
    const text = found.said;
    if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
    else await client.views.open({ trigger_id: body.trigger_id, view: recommendationModal([section(text)]) });
    return undefined;
  }

  // The knowledge owner's review of a correction (the report's Accept / Dismiss), then the report again.
  on(ACTIONS.review, async ({ ack, body, action, client, respond }) => {
    await ack();
    const inHome = body.container?.type === 'view';
    const outcome = await reviewCorrection(deps.store, knowledge, { owner: isOwner(deps, body.user.id), userId: body.user.id }, readReviewValue(action.value));
    if ('stale' in outcome) return staleButton(respond);
    if ('refused' in outcome) {
      if (!inHome) await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.refused });
      return;
    }
    if ('unsaved' in outcome && !inHome) await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.unsaved });
    if (inHome) await publishHome(deps, client, { user: body.user.id, team: teamOf(body) });
    else await respond({ response_type: 'ephemeral', replace_original: true, ...reportMessage(await reportReply(deps, body.user.id)) });
  });

  // The accepted corrections as training lines, in a modal to copy (the command line appends them to the file).
  on(ACTIONS.trainingLines, async ({ ack, body, client, respond }) => {
    await ack();
    if (!isOwner(deps, body.user.id)) {
      if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text: 'Only the knowledge owners export training lines.' });
      return;
    }
    const lines = deps.store ? await deps.store.trainingLines(new Date(0)) : undefined;
    await client.views.open({ trigger_id: body.trigger_id, view: trainingLinesView(lines) });
  });

  // "More details" / "Less", the closest-topic and "Which do you mean?" buttons (no store): the topic's answer, in place.
  const showAnswerInPlace = (id: 'details' | 'topic'): Handler => async ({ ack, action, respond }) => {
    await ack();
    const ref = readTopicValue(action.value);
    const reply = ref && actionAnswer(knowledge, { id, payload: topicRef(ref) }, deps.present);
    if (!ref || !reply) return staleButton(respond);
    await respond({ response_type: 'ephemeral', replace_original: true, ...answerMessage(reply, { audience: 'ephemeral', details: Boolean(ref.details), ...(ref.thread ? { thread: ref.thread } : {}) }) });
  };
  on(ACTIONS.details, showAnswerInPlace('details'));
  on(ACTIONS.topic, showAnswerInPlace('topic'));

  on(ACTIONS.compare, async ({ ack, body, client, respond }) => {
    await ack();
    const reply = presentComparison(knowledge);
    if (body.container?.type === 'view' || !body.response_url) {
      // From App Home or a modal there is no message to reply to: show the comparison in a modal.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          title: plain('Compare setups', SLACK_LIMITS.viewTitle),
          close: plain('Close', SLACK_LIMITS.viewClose),
          blocks: comparisonLines(reply.rows),
        },
      });
      return;
    }
    await respondWithComparison(respond, reply, deps, { shareable: true });
  });

  on(ACTIONS.recommend, async ({ ack, body, client, respond }) => {
    await ack();
    await openRequirementsModal(client, deps, {
      triggerId: body.trigger_id,
      prefill: {},
      ...(body.channel?.id ? { origin: body.channel.id } : {}),
      onFail: async (text) => {
        if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
      },
    });
  });

  on(ACTIONS.edit, async ({ ack, body, action, client, respond }) => {
    await ack();
    const edit = readEditValue(action.value, () => siblingValue(body, ACTIONS.compare));
    if (!edit) return staleButton(respond);
    const origin = edit.channel ?? body.channel?.id;
    await openRequirementsModal(client, deps, {
      triggerId: body.trigger_id,
      prefill: prefillFrom({ ...edit.requirements, ...(edit.notes ? { notes: edit.notes } : {}) }),
      ...(origin ? { origin } : {}),
      onFail: (text) => respond({ response_type: 'ephemeral', replace_original: false, text }),
    });
  });

  // A verifier's reminder: Still correct / Needs a change, recorded for a verifier of the topic or a knowledge owner.
  // Recorded: the reminder's buttons give way to what was recorded; otherwise they stay, with why not beside them.
  const verdict = (kind: 'verified' | 'needs-change'): Handler => async ({ ack, body, action, respond }) => {
    await ack();
    const click = readVerifyValue(action.value);
    if (!click) return staleButton(respond);
    const outcome = await recordVerdict(deps.store, deps.verifications, knowledge, { platform: 'slack', userId: body.user.id, owner: isOwner(deps, body.user.id) }, { ...click, verdict: kind });
    if (!body.response_url) return;
    if (!outcome.recorded) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: escapeMrkdwn(outcome.said) });
      return outcome.said === VERIFY_SAYS.unsaved ? { outcome: 'unsaved', level: 'warn' } : { outcome: 'refused', level: 'warn' };
    }
    const shown = ((body.message?.blocks ?? []) as Block[]).filter((b) => b.type !== 'actions');
    await respond({ replace_original: true, text: escapeMrkdwn(outcome.said), blocks: [...shown, section(`✅ ${escapeMrkdwn(outcome.said)}`)] });
    return undefined;
  };
  on(ACTIONS.verify, verdict('verified'));
  on(ACTIONS.needsChange, verdict('needs-change'));

  return handlers;
}

/** The id a button's action_id names: the whole id, or the part before `:key` (several buttons of one block). */
export const actionIdOf = (actionId: string): string => actionId.split(':')[0]!;

export function registerActions(app: ListenerTable, deps: SlackDeps): void {
  const handlers = actionHandlers(deps);
  // Every block action comes here and is routed by exact id; an id no handler has gets a word, never a 404.
  app.action((args) =>
    deps.interactions.run(args, async () => {
      const id = actionIdOf(args.action.action_id);
      const handler = handlers.get(id as ActionId);
      if (handler) return handler(args);
      await args.ack();
      deps.logger.warn({ actionId: id.slice(0, 50) }, 'unknown Slack action');
      if (args.body.response_url) await args.respond({ response_type: 'ephemeral', replace_original: false, text: UNKNOWN_BUTTON });
      return undefined;
    }),
  );
}
