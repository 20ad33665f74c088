import { recommendationWithReply, validateRequirements } from '../../../src/index.ts';
import { recordRecommendation } from '../../store/answers.ts';
import { CALLBACKS } from '../blocks/common.ts';
import { modalErrors, readSubmission, type ModalMetadata } from '../blocks/modal.ts';
import { recommendationMessage } from '../blocks/recommendation.ts';
import { VIEW_KEY_TTL_MS } from '../dedupe.ts';
import { teamOf, type SlackDeps } from '../deps.ts';
import { deliveryOutcome, permalink, postOrDeliverToUser } from '../delivery.ts';
import type { ListenerTable } from './table.ts';

// The requirements modal's submission: validate, show errors on the fields (the modal stays open with
// everything typed), or close it and post the recommendation where the user chose.

function metadata(raw: string | undefined): ModalMetadata {
  try {
    const parsed = JSON.parse(raw ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as ModalMetadata) : {};
  } catch {
    return {};
  }
}

export function registerViews(app: ListenerTable, deps: SlackDeps): void {
  app.view(CALLBACKS.modal, (args) => deps.interactions.run(args, async () => {
    const { ack, view, body, client, logger } = args;
    const submission = readSubmission(view.state?.values);
    const valid = validateRequirements(submission.input);
    if (!valid.ok) {
      await ack({ response_action: 'errors', errors: modalErrors(valid.errors, view.state?.values) });
      return;
    }
    await ack();
    // A form submitted twice (double click, redelivery) posts once, whichever replicas the two reach: the view
    // id is the same both times. Claimed in the store, after the ack.
    if (!(await deps.claim(`slack:view:${view.id}:${view.hash ?? ''}`, VIEW_KEY_TTL_MS, 'act'))) {
      logger.info(`duplicate submission of view ${view.id} ignored`);
      return;
    }
    const user = body.user.id;
    const channel = submission.channel ?? metadata(view.private_metadata).origin ?? user;
    const { recommendation, reply } = recommendationWithReply(valid.requirements, deps.knowledge);
    const delivery = await postOrDeliverToUser(client, deps.logger, {
      channel,
      user,
      ...recommendationMessage(reply, { requestedBy: user, channel }),
      what: 'recommendation',
      recover: { requirements: valid.requirements },
    }, deps.webApi);
    logger.debug(`recommendation ${reply.setup} delivered: ${delivery.outcome}`);
    // After the ack and the post: the user has their recommendation; recording it waits for nothing.
    if (deps.store) {
      const link = delivery.outcome === 'lost' ? undefined : await permalink(client, deps.logger, delivery);
      recordRecommendation(deps.store, deps.knowledge, { platform: 'slack', userId: user, workspace: teamOf(body) }, { recommendation, channelId: delivery.channel, messageRef: delivery.ts, messageLink: link });
    }
    return deliveryOutcome(delivery);
  }));
}
