import type { HistoryEntry, HistoryReply } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, userMrkdwn } from '../text.ts';
import { slackButtons } from './reply-actions.ts';
import { COMMAND, actions, clampBlocks, context, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';

// `/coexist-vs-api history [customer]`: recent recommendations, newest first, shown to the asker alone.

const PLATFORM_NAMES: Record<string, string> = { slack: 'Slack', teams: 'Teams', cli: 'command-line' };

/** Who made it: a Slack user as a mention (it shows their name and never notifies in an ephemeral message or a view). */
export function madeBy(by: { platform: string; userId: string }): string {
  // Slack ids are capitals and digits: anything else stays out of the mention syntax.
  if (by.platform === 'slack' && /^[UW][A-Z0-9_]{1,40}$/.test(by.userId)) return `<@${by.userId}>`;
  return `a ${PLATFORM_NAMES[by.platform] ?? escapeMrkdwn(by.platform)} user`;
}

/** A link from the store is drawn only when it is a plain https URL (nothing that could close the link markup). */
const safeLink = (url: string | undefined): string | undefined => (url && /^https:\/\/[^\s<>|]+$/.test(url) ? url : undefined);

export function entryText(entry: HistoryEntry): string {
  const customer = entry.customer ? ` for ${userMrkdwn(entry.customer, 200)}` : '';
  const link = safeLink(entry.link);
  return [
    `${entry.icon} *${entry.setupTitle}*${customer}`,
    `${entry.confidence.text} · ${entry.when} · by ${madeBy(entry.by)} · ref \`${entry.id}\`${link ? ` · <${link}|View message>` : ''}`,
  ].join('\n');
}

/** Open (in full) and Edit (a new form from its requirements), by the entry's id: the store has the rest. */
export const entryButtons = (entry: HistoryEntry): Block => actions(slackButtons(entry.actions), `history_${entry.id}`);

export function historyMessage(reply: HistoryReply): SlackMessage {
  const blocks: Block[] = [header(reply.title)];
  // Whose entries these are, in words (src/present/scope.ts).
  const whose = reply.whose ? `${escapeMrkdwn(reply.whose)} ` : '';
  if (!reply.entries) blocks.push(section(escapeMrkdwn(reply.unavailable ?? 'The history is not available here.')));
  else if (reply.entries.length === 0) {
    blocks.push(section(escapeMrkdwn(reply.empty)), context(`${whose}Make one with \`${COMMAND} recommend\`.`));
  } else {
    for (const entry of reply.entries) blocks.push(section(entryText(entry)), entryButtons(entry));
    blocks.push(context(`${whose}Newest first. Filter by customer: \`${COMMAND} history Acme\`.`));
  }
  return { blocks: clampBlocks(blocks, SLACK_LIMITS.blocksPerMessage), text: fallbackText(reply.summary) };
}
