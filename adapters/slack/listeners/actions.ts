import type { BlockAction, RespondFn } from '@slack/bolt';
import { prefillFrom, presentComparison, presentTopic } from '../../../src/index.ts';
import { answerMessage } from '../blocks/answer.ts';
import { ACTIONS, type Block } from '../blocks/common.ts';
import { comparisonLines, comparisonMessage } from '../blocks/comparison.ts';
import { SHARE_KEY_TTL_MS } from '../dedupe.ts';
import type { SlackDeps } from '../deps.ts';
import { deliveryOutcome, postOrDeliverToUser } from '../delivery.ts';
import type { InteractionOutcome } from '../interactions.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { plain } from '../text.ts';
import { readEditValue, readFeedbackValue, readShareValue, readTopicValue } from '../values.ts';
import { openRequirementsModal } from './modal.ts';
import { respondWithComparison } from './respond.ts';
import type { ButtonArgs, ListenerTable } from './table.ts';

// Buttons. Each button carries what it needs in its value (values.ts), so no click depends on server-side state.

type Handler = (args: ButtonArgs) => Promise<void | InteractionOutcome | undefined>;

async function staleButton(respond: RespondFn): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: 'That button is from an older version of this message. Please ask again with /coexist-vs-api.' });
}

/** The value of another button in the same message (the rest of long notes rides on "Full comparison"). */
function siblingValue(body: BlockAction, actionId: string): string | undefined {
  const blocks = (body.message?.blocks ?? []) as Block[];
  for (const b of blocks) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements) if (e.type === 'button' && e.action_id === actionId) return e.value;
  }
  return undefined;
}

export function registerActions(app: ListenerTable, deps: SlackDeps): void {
  const { knowledge } = deps;
  const handlers = new Map<string, Handler>();
  const on = (actionId: string, handler: Handler) => handlers.set(actionId, handler);

  on(ACTIONS.share, async ({ ack, body, action, client, respond }) => {
    await ack();
    const share = readShareValue(action.value);
    const channel = body.channel?.id;
    if (!share || !channel) return staleButton(respond);
    // A double click shares once, whichever replicas the clicks reach: the same person sharing the same thing to
    // the same place within a minute. Claimed in the store, after the ack.
    if (!(await deps.claim(`slack:share:${body.user.id}:${channel}:${action.value}`, SHARE_KEY_TTL_MS))) return;
    let message;
    const thread = 'thread' in share ? share.thread : undefined;
    if ('comparison' in share) message = comparisonMessage(presentComparison(knowledge), { table: true, shareable: false, sharedBy: body.user.id });
    else {
      const reply = presentTopic(knowledge, share.topic, share.question);
      if (!reply) return staleButton(respond);
      message = answerMessage(reply, { audience: 'shared', sharedBy: body.user.id, details: Boolean(share.details) });
    }
    const delivery = await postOrDeliverToUser(client, deps.logger, { channel, user: body.user.id, ...message, what: 'answer', ...(thread ? { threadTs: thread } : {}) }, deps.webApi);
    if (delivery.outcome === 'posted' || delivery.outcome === 'plain') await respond({ delete_original: true });
    return deliveryOutcome(delivery);
  });

  // Block Kit's feedback buttons on an answer: recorded, nothing else (Slack shows the choice). The buttons toggle
  // and Slack sends every change: each is one record.
  on(ACTIONS.feedback, async ({ ack, body, action }) => {
    await ack();
    const feedback = readFeedbackValue(action.value);
    if (!feedback || !deps.store) return;
    deps.store.recorder.feedback({ platform: 'slack', userId: body.user.id, target: 'answer', targetId: feedback.question, rating: feedback.rating });
  });

  // "More details" / "Less" and the closest-topic buttons: the topic's answer, in place.
  const showAnswerInPlace: Handler = async ({ ack, action, respond }) => {
    await ack();
    const ref = readTopicValue(action.value);
    const reply = ref && presentTopic(knowledge, ref.topic, ref.question);
    if (!ref || !reply) return staleButton(respond);
    await respond({ response_type: 'ephemeral', replace_original: true, ...answerMessage(reply, { audience: 'ephemeral', details: Boolean(ref.details) }) });
  };
  on(ACTIONS.details, showAnswerInPlace);
  on(ACTIONS.topic, showAnswerInPlace);

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

  // One entry for every button, a table here: `open_topic:<id>` shares a handler.
  app.action(/^[a-z_]+(:.*)?$/, (args) =>
    deps.interactions.run(args, async () => {
      const handler = handlers.get(args.action.action_id.split(':')[0]!);
      if (handler) return handler(args);
      await args.ack();
      return undefined;
    }),
  );
}
