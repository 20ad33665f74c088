import {
  CONFIDENCE_WORD,
  SETUP_NAMES,
  SETUP_TITLE,
  STATUS_ICON,
  compare,
  countryName,
  type Knowledge,
  type Recommendation,
  type Requirements,
  type Source,
} from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, truncate } from '../text.ts';
import { ACTIONS, actions, bullets, clampBlocks, context, divider, header, plainSection, section, sourceLinks, type Block } from './common.ts';

// The recommendation posted into a deal channel. It carries its own requirements (the Edit button's value plus
// the notes block), so "Edit requirements" can reopen the form prefilled without any database.

export const NOTES_BLOCK = 'rec_notes';

/** What the Edit button carries: the requirements without notes (notes live in NOTES_BLOCK, up to 2,000 chars). */
export interface EditRef {
  r: Omit<Requirements, 'notes'>;
  c?: string;
}

export function editRef(requirements: Requirements, channel?: string): string {
  const { notes: _notes, ...rest } = requirements;
  return JSON.stringify({ r: rest, ...(channel ? { c: channel } : {}) } satisfies EditRef);
}

function factsLine(q: Requirements): string {
  return [
    `${countryName(q.country)} (${q.country})`,
    q.agents !== undefined ? `${q.agents} ${q.agents === 1 ? 'agent' : 'agents'}` : undefined,
    q.dailyMessages !== undefined ? `${q.dailyMessages.toLocaleString('en-US')} messages/day` : undefined,
    q.peakMps !== undefined ? `peak ${q.peakMps} MPS` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function recommendationBlocks(
  rec: Recommendation,
  knowledge: Knowledge,
  options: { requestedBy?: string; channel?: string; editable?: boolean } = {},
): Block[] {
  const q = rec.requirements;
  const title = `${rec.setup === 'coexistence' ? '📱' : '⚙️'} ${SETUP_TITLE[rec.setup]}${q.customer ? ` for ${q.customer}` : ''}`;
  const blocks: Block[] = [header(title)];
  blocks.push(
    context(
      `*${escapeMrkdwn(CONFIDENCE_WORD[rec.confidence])}*`,
      escapeMrkdwn(factsLine(q)),
      ...(options.requestedBy ? [`Requested by <@${options.requestedBy}>`] : []),
    ),
  );
  const needLabels = q.needs.map((id) => knowledge.needs.find((n) => n.id === id)?.label ?? id);
  if (needLabels.length > 0) blocks.push(context(`*Needs:* ${escapeMrkdwn(needLabels.join(', '))}`));

  blocks.push(section(bullets('Why', rec.reasons.map((r) => r.text))));
  if (rec.conflicts.length > 0) blocks.push(section(bullets(':warning: Conflicts: asked for, not given by this setup', rec.conflicts.map((c) => c.text))));
  if (rec.unmet.length > 0) blocks.push(section(bullets(':no_entry: Not met by either setup', rec.unmet.map((u) => u.text))));
  if (rec.alternative) blocks.push(section(`*:bulb: Alternative*\n${escapeMrkdwn(rec.alternative.text)}`));
  if (rec.caveats.length > 0) blocks.push(section(bullets('What changes on switching', rec.caveats.map((c) => c.text))));

  // The comparison rows that matter for this customer.
  const rows = compare(knowledge).rows.filter((r) => rec.relevantTopics.includes(r.id));
  rows.sort((a, b) => rec.relevantTopics.indexOf(a.id) - rec.relevantTopics.indexOf(b.id));
  if (rows.length > 0) {
    blocks.push(divider());
    const lines = rows.map((r) => `${STATUS_ICON[r.coexistence.status]} ${STATUS_ICON[r.apiOnly.status]}  *${escapeMrkdwn(r.title)}*`);
    blocks.push(section(truncate(`*How the setups compare here* (${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']})\n${lines.join('\n')}`, SLACK_LIMITS.sectionText)));
  }
  if (q.notes) {
    blocks.push(section('*Notes*'));
    blocks.push(plainSection(q.notes, NOTES_BLOCK));
  }
  const sources = new Map<string, Source>();
  for (const r of rows) for (const s of r.sources) sources.set(s.url, s);
  const verified = rows.map((r) => r.lastVerified).sort()[0];
  blocks.push(context(`Sources: ${sourceLinks([...sources.values()].slice(0, 8))}`, ...(verified ? [`Last verified ${verified}`] : [])));
  if (options.editable !== false) {
    blocks.push(
      actions(
        [
          { text: 'Edit requirements', actionId: ACTIONS.edit, value: editRef(q, options.channel) },
          { text: 'Full comparison', actionId: ACTIONS.compare },
        ],
        'rec_actions',
      ),
    );
  }
  return clampBlocks(blocks);
}

/** Notification text: the verdict and the first reason. */
export function recommendationText(rec: Recommendation): string {
  const who = rec.requirements.customer ? ` for ${rec.requirements.customer}` : '';
  return truncate(escapeMrkdwn(`${SETUP_TITLE[rec.setup]} recommended${who} (${rec.confidence} confidence). ${rec.reasons[0]?.text ?? ''}`), SLACK_LIMITS.messageText);
}

/** Reads the notes back from a posted recommendation's blocks (Slack returns them in the action payload). */
export function notesFromMessage(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  const block = blocks.find((b) => b && typeof b === 'object' && (b as Block).block_id === NOTES_BLOCK) as { text?: { text?: unknown } } | undefined;
  const text = block?.text?.text;
  return typeof text === 'string' ? text : undefined;
}
