import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';

type Handler = (args: SlackActionMiddlewareArgs & AllMiddlewareArgs) => Promise<void | InteractionOutcome | undefined>;
import { answer, compare, findTopic, topicFacts, type AnswerResult, type Knowledge, type TopicId } from '../../../src/index.ts';
import { answerBlocks, answerText, type AnswerRef } from '../blocks/answer.ts';
import { ACTIONS } from '../blocks/common.ts';
import { comparisonBlocks, comparisonLines, comparisonText } from '../blocks/comparison.ts';
import { notesFromMessage, type EditRef } from '../blocks/recommendation.ts';
import type { SlackDeps } from '../deps.ts';
import { deliveryOutcome, postOrDeliverToUser } from '../delivery.ts';
import type { InteractionOutcome } from '../interactions.ts';
import { openRequirementsModal } from './modal.ts';
import { respondWithComparison } from './respond.ts';
import { plain } from '../text.ts';
import { SLACK_LIMITS } from '../limits.ts';

// Buttons. Each button carries what it needs in its value, so no click depends on server-side state.

function parseJson<T>(value: string | undefined): T | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

/** Rebuilds the answer for a topic straight from the knowledge base. */
function answerFor(knowledge: Knowledge, ref: AnswerRef): AnswerResult | undefined {
  const topic = findTopic(knowledge, ref.t);
  if (!topic) return undefined;
  return { topic: topic.id as TopicId, confidence: 1, answer: topicFacts(knowledge, topic), alternatives: [] };
}

async function staleButton(respond: RespondFn): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: 'That button is from an older version of this message. Please ask again with /coexist-vs-api.' });
}

export function registerActions(app: App, deps: SlackDeps): void {
  const { knowledge } = deps;
  const handlers = new Map<string, Handler>();
  const on = (actionId: string, handler: Handler) => handlers.set(actionId, handler);

  on(ACTIONS.share, async ({ ack, body: raw, action: a, client, respond }) => {
    await ack();
    const body = raw as BlockAction;
    const action = a as ButtonAction;
    const ref = parseJson<AnswerRef | { t: 'compare' }>(action.value);
    const channel = body.channel?.id;
    if (!ref || !channel) return staleButton(respond);
    // A double click shares once: the same person sharing the same thing to the same place within a minute.
    if (!deps.recent.firstTime(`share:${body.user.id}:${channel}:${action.value}:${Math.floor(Date.now() / 60_000)}`)) return;
    let blocks;
    let text;
    if (ref.t === 'compare') {
      const c = compare(knowledge);
      blocks = comparisonBlocks(c, { table: true, shareable: false, sharedBy: body.user.id });
      text = comparisonText(c);
    } else {
      const result = answerFor(knowledge, ref as AnswerRef);
      if (!result) return staleButton(respond);
      const q = (ref as AnswerRef).q;
      blocks = answerBlocks(result, knowledge, { sharedBy: body.user.id, ...(q ? { question: q } : {}), details: Boolean((ref as AnswerRef).d) });
      text = answerText(result);
    }
    const delivery = await postOrDeliverToUser(client, deps.logger, { channel, user: body.user.id, blocks, text, what: 'answer' }, deps.webApi);
    if (delivery.outcome === 'posted' || delivery.outcome === 'plain') await respond({ delete_original: true });
    return deliveryOutcome(delivery);
  });

  // "More details" / "Less" and the closest-topic buttons: re-render the answer in place from the button's value.
  const showAnswerInPlace: Handler = async ({ ack, action: a, respond }) => {
    await ack();
    const ref = parseJson<AnswerRef>((a as ButtonAction).value);
    const result = ref && answerFor(knowledge, ref);
    if (!ref || !result) return staleButton(respond);
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      blocks: answerBlocks(result, knowledge, { ...(ref.q ? { question: ref.q } : {}), details: Boolean(ref.d) }) as never,
      text: answerText(result),
    });
  };
  on(ACTIONS.details, showAnswerInPlace);
  on(ACTIONS.topic, showAnswerInPlace);

  on(ACTIONS.compare, async ({ ack, body: raw, client, respond }) => {
    await ack();
    const body = raw as BlockAction;
    const c = compare(knowledge);
    if (body.container?.type === 'view' || !body.response_url) {
      // From App Home or a modal there is no message to reply to: show the comparison in a modal.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          title: plain('Compare setups', SLACK_LIMITS.viewTitle),
          close: plain('Close', SLACK_LIMITS.viewClose),
          blocks: comparisonLines(c) as never,
        },
      });
      return;
    }
    await respondWithComparison(respond, c, deps, { shareable: true });
  });

  on(ACTIONS.recommend, async ({ ack, body: raw, client, respond }) => {
    await ack();
    const body = raw as BlockAction;
    await openRequirementsModal(client, deps, {
      triggerId: body.trigger_id,
      prefill: {},
      ...(body.channel?.id ? { origin: body.channel.id } : {}),
      onFail: async (text) => {
        if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
      },
    });
  });

  on(ACTIONS.edit, async ({ ack, body: raw, action: a, client, respond }) => {
    await ack();
    const body = raw as BlockAction;
    const action = a as ButtonAction;
    const ref = parseJson<EditRef>(action.value);
    if (!ref || typeof ref.r !== 'object' || ref.r === null) return staleButton(respond);
    const notes = notesFromMessage(body.message?.blocks);
    const origin = ref.c ?? body.channel?.id;
    await openRequirementsModal(client, deps, {
      triggerId: body.trigger_id,
      prefill: { ...ref.r, ...(notes ? { notes } : {}) },
      ...(origin ? { origin } : {}),
      onFail: (text) => respond({ response_type: 'ephemeral', replace_original: false, text }),
    });
  });

  // One Bolt listener for every button: Bolt runs each registered listener's matchers on every request, so a
  // table here keeps the per-request cost flat however many buttons the app has. `open_topic:<id>` shares a handler.
  app.action(/^[a-z_]+(:.*)?$/, (args) =>
    deps.interactions.run(args, async () => {
      const actionId = String((args.action as { action_id?: string }).action_id ?? '').split(':')[0]!;
      const handler = handlers.get(actionId);
      if (handler) return handler(args);
      await args.ack();
      return undefined;
    }),
  );
}
