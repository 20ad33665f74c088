import type { NoteVerdict, RecheckNoteReply } from '../../../src/index.ts';
import { escapeMrkdwn, userMrkdwn } from '../text.ts';
import { slackButtons } from './reply-actions.ts';
import { actions, bullets, clampBlocks, context, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';

// A note in a recommendation's thread: the knowledge changed its verdict (src/present/recheck.ts). What changed in
// the facts, the verdict then and now, and Open the updated recommendation. Every text is escaped; the customer's
// name is user text.

const verdictText = (label: string, v: NoteVerdict) => `*${label}:* ${v.icon} ${escapeMrkdwn(v.setupTitle)} · ${escapeMrkdwn(v.confidence.text)}`;

export function recheckNoteMessage(reply: RecheckNoteReply): SlackMessage {
  const customer = reply.customer ? ` for ${userMrkdwn(reply.customer, 200)}` : '';
  const blocks: Block[] = [
    header(`🔄 ${reply.title}`),
    context(`Recommendation \`${escapeMrkdwn(reply.id)}\`${customer}, made ${escapeMrkdwn(reply.made)}`),
    section(bullets(escapeMrkdwn(reply.factsTitle), reply.facts)),
    section(`${verdictText('Then', reply.before)}\n${verdictText('Now', reply.after)}`),
  ];
  if (reply.verdict.length > 0) blocks.push(section(reply.verdict.map((v) => `• ${escapeMrkdwn(v)}`).join('\n')));
  blocks.push(actions(slackButtons(reply.actions), 'recheck_note_actions'));
  return { blocks: clampBlocks(blocks), text: fallbackText(reply.summary) };
}
