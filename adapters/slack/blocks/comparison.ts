import { SETUP_NAMES, STATUS_ICON, type Comparison } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, truncate } from '../text.ts';
import { ACTIONS, actions, context, header, section, statusText, type Block, type ButtonSpec } from './common.ts';

// The full side-by-side comparison. Slack's table block renders it best (one table per message); clients or
// workspaces that reject it get the same rows as compact text lines, readable on a phone.

const cell = (text: string) => ({ type: 'raw_text', text });

function tableBlock(c: Comparison): Block {
  const rows = [
    [cell('Feature'), cell(SETUP_NAMES.coexistence), cell(SETUP_NAMES['api-only'])],
    ...c.rows.map((r) => [cell(`${r.title}${r.articleSays ? ' *' : ''}`), cell(statusText(r.coexistence)), cell(statusText(r.apiOnly))]),
  ].slice(0, SLACK_LIMITS.tableRows);
  return { type: 'table', block_id: 'comparison_table', column_settings: [{ is_wrapped: true }, { align: 'left' }, { align: 'left' }], rows };
}

/** Rows as text lines, split over as few sections as the section limit allows. */
export function comparisonLines(c: Comparison): Block[] {
  const lines = c.rows.map(
    (r) => `${STATUS_ICON[r.coexistence.status]} ${STATUS_ICON[r.apiOnly.status]}  ${escapeMrkdwn(r.title)}${r.articleSays ? ' *' : ''}`,
  );
  const blocks: Block[] = [];
  let current = `_${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']}_`;
  for (const line of lines) {
    if (current.length + line.length + 1 > SLACK_LIMITS.sectionText) {
      blocks.push(section(current));
      current = '';
    }
    current += (current ? '\n' : '') + line;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

export function comparisonBlocks(c: Comparison, options: { table: boolean; shareable: boolean; sharedBy?: string }): Block[] {
  const blocks: Block[] = [header(`${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}`)];
  if (options.sharedBy) blocks.push(context(`Shared by <@${options.sharedBy}>`));
  blocks.push(context('✅ yes · ❌ no · ⚠️ partly · * the provider help article is outdated on this row', `Least recently verified row: ${c.lastVerified}`));
  if (options.table) blocks.push(tableBlock(c));
  else blocks.push(...comparisonLines(c));
  blocks.push(context('Ask about any row: `/coexist-vs-api <question>`, e.g. `/coexist-vs-api calls`'));
  const recommendButton = { text: 'Recommend a setup', actionId: ACTIONS.recommend };
  const buttons: ButtonSpec[] = options.shareable
    ? [{ text: 'Share in channel', actionId: ACTIONS.share, value: JSON.stringify({ t: 'compare' }), style: 'primary' }, recommendButton]
    : [{ ...recommendButton, style: 'primary' }];
  blocks.push(actions(buttons));
  return blocks;
}

export function comparisonText(c: Comparison): string {
  const lines = c.rows.map((r) => `${r.title}: ${SETUP_NAMES.coexistence} ${statusText(r.coexistence)}, ${SETUP_NAMES['api-only']} ${statusText(r.apiOnly)}`);
  return truncate(escapeMrkdwn(`${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}\n${lines.join('\n')}`), SLACK_LIMITS.messageText);
}
