import type { VerifyReminderReply } from '../../../src/index.ts';
import { escapeMrkdwn } from '../text.ts';
import { actions, clampBlocks, context, fallbackText, header, section, sourceLinks, type Block, type SlackMessage } from './common.ts';
import { slackButtons } from './reply-actions.ts';

// A verifier's reminder (sent as a DM): the topic's facts for both setups with their explanations, its sources and
// dates, and Still correct / Needs a change.

export function verifyReminderMessage(reply: VerifyReminderReply): SlackMessage {
  const blocks: Block[] = [header(reply.title), section(escapeMrkdwn(reply.intro))];
  for (const side of reply.sides) {
    blocks.push(section(`*${escapeMrkdwn(side.name)}*${side.status ? `  ${side.status.text}` : ''}\n${escapeMrkdwn(side.answer)}\n_${escapeMrkdwn(side.details)}_`));
  }
  blocks.push(context(`Sources: ${sourceLinks(reply.sources)}`, escapeMrkdwn(reply.dates)));
  blocks.push(actions(slackButtons(reply.actions), 'verify_actions'));
  return { blocks: clampBlocks(blocks), text: fallbackText(reply.summary) };
}
