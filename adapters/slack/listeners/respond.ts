import type { RespondFn } from '@slack/bolt';
import type { ComparisonReply } from '../../../src/index.ts';
import { comparisonMessage } from '../blocks/comparison.ts';
import type { SlackDeps } from '../deps.ts';
import { slackError } from '../deps.ts';

/**
 * Sends the comparison through the response URL: as a table block where the client renders it, and as text
 * rows when Slack rejects the table, so the user always gets the comparison.
 */
export async function respondWithComparison(respond: RespondFn, reply: ComparisonReply, deps: SlackDeps, options: { shareable: boolean; replace?: boolean }): Promise<void> {
  const base = { response_type: 'ephemeral' as const, ...(options.replace ? { replace_original: true } : {}) };
  try {
    await respond({ ...base, ...comparisonMessage(reply, { table: true, shareable: options.shareable }) });
  } catch (err) {
    deps.logger.warn({ error: slackError(err) }, 'table block rejected; sending the comparison as text rows');
    await respond({ ...base, ...comparisonMessage(reply, { table: false, shareable: options.shareable }) });
  }
}
