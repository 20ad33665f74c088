import type { SourceChangesReply } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn } from '../text.ts';
import { clampBlocks, context, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';

// Cited pages that changed (the source watch's DM to a verifier): each page as a link, what changed, and the topics
// now due. Source titles come from sources.yml: escaped like any text we did not write here.

/** A link to a page: `<url|title>`; the title escaped and without the link's own separator. */
const pageLink = (url: string, title: string): string => `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${escapeMrkdwn(title).replace(/\|/g, '¦')}>`;

export function sourceChangesMessage(reply: SourceChangesReply): SlackMessage {
  const blocks: Block[] = [header(`🔎 ${reply.title}`), section(escapeMrkdwn(reply.intro))];
  for (const c of reply.changes) {
    const topics = c.topics.length > 0 ? `\nDue for verification: ${escapeMrkdwn(c.topics.join(', '))}` : '';
    blocks.push(section(`*${pageLink(c.url, c.title)}*\n${escapeMrkdwn(c.what)}${topics}`));
  }
  blocks.push(context(reply.next.map((step, i) => `${i + 1}. ${escapeMrkdwn(step)}`).join('\n')));
  return { blocks: clampBlocks(blocks, SLACK_LIMITS.blocksPerMessage), text: fallbackText(reply.summary) };
}
