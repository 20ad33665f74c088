import type { webApi } from '@slack/bolt';
import { requirementsModal, type ModalPrefill } from '../blocks/modal.ts';
import type { SlackDeps } from '../deps.ts';
import { slackError } from '../deps.ts';

/** Opens the requirements modal. Called right after ack, before any other work, inside the trigger_id window. */
export async function openRequirementsModal(
  client: webApi.WebClient,
  deps: SlackDeps,
  options: { triggerId: string; prefill: ModalPrefill; origin?: string; onFail?: (text: string) => Promise<unknown> },
): Promise<void> {
  try {
    await client.views.open({
      trigger_id: options.triggerId,
      view: requirementsModal(deps.knowledge, options.prefill, options.origin ? { origin: options.origin } : {}),
    });
  } catch (err) {
    const error = slackError(err);
    deps.logger.warn({ error }, 'views.open failed');
    const text =
      error === 'expired_trigger_id'
        ? 'Slack took too long to open the form. Please run the command again.'
        : `I could not open the form (Slack said \`${error}\`). Please try again.`;
    await options.onFail?.(text).catch(() => undefined);
  }
}
