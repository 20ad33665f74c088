import { SETUP_IDS, SETUP_NAMES, type ComparisonReply, type Row } from '../../../src/index.ts';
import { TEAMS_LIMITS } from '../limits.ts';
import { card, heading, subtle, type Card, type Element } from './common.ts';
import { cardActions } from './reply-actions.ts';

// The side-by-side comparison as an Adaptive Card Table (1.5).

const cell = (t: string, extra: Element = {}): Element => ({ type: 'TableCell', items: [{ type: 'TextBlock', text: t, wrap: true, ...extra }] });

export function comparisonTable(rows: readonly Row[]): Element {
  return {
    type: 'Table',
    gridStyle: 'accent',
    firstRowAsHeader: true,
    columns: [{ width: 3 }, { width: 2 }, { width: 2 }],
    rows: [
      { type: 'TableRow', cells: [cell('Feature', { weight: 'Bolder' }), cell(SETUP_NAMES.coexistence, { weight: 'Bolder' }), cell(SETUP_NAMES['api-only'], { weight: 'Bolder' })] },
      ...rows.slice(0, TEAMS_LIMITS.tableRows).map((r) => ({
        type: 'TableRow',
        cells: [cell(r.label), ...SETUP_IDS.map((s) => cell(r.cells[s].text))],
      })),
    ],
  };
}

export function comparisonCard(reply: ComparisonReply): Card {
  return card(
    [heading(reply.title), subtle(reply.legend), comparisonTable(reply.rows), subtle(`Least recently verified row: ${reply.lastVerified}. Ask about any row, e.g. "calls".`)],
    cardActions(reply.actions),
    `${reply.title}: ${reply.rows.length} features compared`,
  );
}
