import type { RawTextElement, TableBlock } from '@slack/types';
import { slackButtons } from './reply-actions.ts';
import { SETUP_IDS, SETUP_NAMES, type ComparisonReply, type Row } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn } from '../text.ts';
import { COMMAND, actions, context, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';

// The full side-by-side comparison. Slack's table block renders it best (one table per message); clients or
// workspaces that reject it get the same rows as compact text lines, readable on a phone.

const cell = (text: string): RawTextElement => ({ type: 'raw_text', text });

function tableBlock(rows: readonly Row[]): TableBlock {
  return {
    type: 'table',
    block_id: 'comparison_table',
    column_settings: [{ is_wrapped: true }, { is_wrapped: true }, { is_wrapped: true }],
    rows: [
      [cell('Feature'), cell(SETUP_NAMES.coexistence), cell(SETUP_NAMES['api-only'])],
      ...rows.map((r) => [cell(r.label), ...SETUP_IDS.map((s) => cell(r.cells[s].text))]),
    ].slice(0, SLACK_LIMITS.tableRows),
  };
}

/** One row as a text line: the two icons then the title, or the title and each setup's words. */
export function rowLine(r: Row, bold = false): string {
  const title = bold ? `*${escapeMrkdwn(r.title)}*` : escapeMrkdwn(r.title);
  const label = r.note ? `${title} (${escapeMrkdwn(r.note)})` : title;
  const [a, b] = SETUP_IDS.map((s) => r.cells[s]);
  if (a!.kind === 'status' && b!.kind === 'status') return `${a!.icon} ${b!.icon}  ${label}`;
  return `${label}: ${SETUP_IDS.map((s) => `${SETUP_NAMES[s]}: ${escapeMrkdwn(r.cells[s].text)}`).join('; ')}`;
}

/** Rows as text lines, split over as few sections as the section limit allows. */
export function comparisonLines(rows: readonly Row[], heading = `_${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']}_`, bold = false): Block[] {
  const blocks: Block[] = [];
  let current = heading;
  for (const line of rows.map((r) => rowLine(r, bold))) {
    if (current.length + line.length + 1 > SLACK_LIMITS.sectionText) {
      blocks.push(section(current));
      current = '';
    }
    current += (current ? '\n' : '') + line;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

export interface ComparisonView {
  table: boolean;
  shareable: boolean;
  sharedBy?: string;
}

export function comparisonMessage(reply: ComparisonReply, view: ComparisonView): SlackMessage {
  const blocks: Block[] = [header(reply.title)];
  if (view.sharedBy) blocks.push(context(`Shared by <@${view.sharedBy}>`));
  blocks.push(context(reply.legend, `Least recently verified row: ${reply.lastVerified}`));
  if (view.table) blocks.push(tableBlock(reply.rows));
  else blocks.push(...comparisonLines(reply.rows));
  blocks.push(context(`Ask about any row: \`${COMMAND} <question>\`, e.g. \`${COMMAND} calls\``));
  // Share only where the person may still share it (not on the shared copy, nor in a DM).
  blocks.push(actions(slackButtons(view.shareable ? reply.actions : reply.actions.filter((a) => a.id !== 'share'))));
  return { blocks, text: fallbackText(reply.summary) };
}
