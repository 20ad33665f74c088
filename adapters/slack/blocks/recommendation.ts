import { SETUP_NAMES, type RecommendationReply } from '../../../src/index.ts';
import { escapeMrkdwn } from '../text.ts';
import { editValues } from '../values.ts';
import { actions, bullets, clampBlocks, context, divider, fallbackText, header, plainSection, section, sourceLinks, type Block, type SlackMessage } from './common.ts';
import { comparisonLines } from './comparison.ts';
import { madeBy } from './history.ts';
import { slackButtons } from './reply-actions.ts';

// The recommendation posted into a deal channel. Its buttons carry its requirements (values.ts), so "Edit
// requirements" reopens the form prefilled without any database.

export const NOTES_BLOCK = 'rec_notes';

export function recommendationMessage(reply: RecommendationReply, options: { requestedBy?: string; channel?: string; editable?: boolean } = {}): SlackMessage {
  const blocks: Block[] = [header(`${reply.icon} ${reply.setupTitle}${reply.customer ? ` for ${reply.customer}` : ''}`)];
  blocks.push(
    context(
      `*${escapeMrkdwn(reply.confidence.text)}*`,
      escapeMrkdwn(reply.facts.map((f) => `${f.label}: ${f.value}`).join(' · ')),
      ...(options.requestedBy ? [`Requested by <@${options.requestedBy}>`] : []),
    ),
  );
  if (reply.made) blocks.push(context(`Ref \`${escapeMrkdwn(reply.made.id)}\` · made ${escapeMrkdwn(reply.made.when)} by ${madeBy(reply.made.by)} · the comparison and sources as known today`));
  if (reply.needs.length > 0) blocks.push(context(`*Needs:* ${escapeMrkdwn(reply.needs.join(', '))}`));
  for (const s of reply.sections) {
    const title = `${s.icon ? `${s.icon} ` : ''}${s.title}`;
    blocks.push(section(s.id === 'alternative' ? `*${title}*\n${escapeMrkdwn(s.items.join('\n'))}` : bullets(title, s.items)));
  }
  if (reply.rows.length > 0) {
    blocks.push(divider(), ...comparisonLines(reply.rows, `*${reply.rowsTitle}* (${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']})`, true));
  }
  if (reply.notes) blocks.push(section('*Notes*'), plainSection(reply.notes, NOTES_BLOCK));
  blocks.push(context(`Sources: ${sourceLinks(reply.sources)}`, ...(reply.lastVerified ? [`Last verified ${reply.lastVerified}`] : [])));
  if (reply.stale) blocks.push(context(escapeMrkdwn(reply.stale)));
  if (options.editable !== false) {
    const { notesRest } = editValues(reply.requirements, options.channel);
    blocks.push(actions(slackButtons(reply.actions, { ...(options.channel ? { channel: options.channel } : {}), ...(notesRest ? { notesRest } : {}) }), 'rec_actions'));
  }
  return { blocks: clampBlocks(blocks), text: fallbackText(reply.summary) };
}
