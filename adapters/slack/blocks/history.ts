import type { HistoryEntry, HistoryReply } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, userMrkdwn } from '../text.ts';
import { COMMAND, clampBlocks, context, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';

// `/coexist-vs-api history [customer]`: recent recommendations, newest first, shown to the asker alone.

const PLATFORM_NAMES: Record<string, string> = { slack: 'Slack', teams: 'Teams', cli: 'command-line' };

/** Who made it: a Slack user as a mention (it shows their name and never notifies in an ephemeral message). */
function by(entry: HistoryEntry): string {
  // Slack ids are capitals and digits: anything else stays out of the mention syntax.
  if (entry.by.platform === 'slack' && /^[UW][A-Z0-9_]{1,40}$/.test(entry.by.userId)) return `<@${entry.by.userId}>`;
  return `a ${PLATFORM_NAMES[entry.by.platform] ?? escapeMrkdwn(entry.by.platform)} user`;
}

/** A link from the store is drawn only when it is a plain https URL (nothing that could close the link markup). */
const safeLink = (url: string | undefined): string | undefined => (url && /^https:\/\/[^\s<>|]+$/.test(url) ? url : undefined);

function entryText(entry: HistoryEntry): string {
  const customer = entry.customer ? ` for ${userMrkdwn(entry.customer, 200)}` : '';
  const link = safeLink(entry.link);
  return [
    `${entry.icon} *${entry.setupTitle}*${customer}`,
    `${entry.confidence.text} · ${entry.when} · by ${by(entry)} · ref \`${entry.id}\`${link ? ` · <${link}|View message>` : ''}`,
  ].join('\n');
}

export function historyMessage(reply: HistoryReply): SlackMessage {
  const blocks: Block[] = [header(reply.title)];
  if (!reply.entries) blocks.push(section(escapeMrkdwn(reply.unavailable ?? 'The history is not available here.')));
  else if (reply.entries.length === 0) {
    blocks.push(section(escapeMrkdwn(reply.empty)), context(`Make one with \`${COMMAND} recommend\`.`));
  } else {
    for (const entry of reply.entries) blocks.push(section(entryText(entry)));
    blocks.push(context(`Newest first. Filter by customer: \`${COMMAND} history Acme\`.`));
  }
  return { blocks: clampBlocks(blocks, SLACK_LIMITS.blocksPerMessage), text: fallbackText(reply.summary) };
}
