import { SETUP_NAMES, type Comparison, type TopicFacts } from '../../../src/index.ts';
import { TEAMS_LIMITS } from '../limits.ts';
import { SUBMIT, card, heading, statusText, submit, subtle, type Card, type Element } from './common.ts';

// The side-by-side comparison as an Adaptive Card Table (1.5).

const cell = (t: string, extra: Element = {}): Element => ({ type: 'TableCell', items: [{ type: 'TextBlock', text: t, wrap: true, ...extra }] });

export function comparisonTable(rows: TopicFacts[]): Element {
  return {
    type: 'Table',
    gridStyle: 'accent',
    firstRowAsHeader: true,
    columns: [{ width: 3 }, { width: 2 }, { width: 2 }],
    rows: [
      { type: 'TableRow', cells: [cell('Feature', { weight: 'Bolder' }), cell(SETUP_NAMES.coexistence, { weight: 'Bolder' }), cell(SETUP_NAMES['api-only'], { weight: 'Bolder' })] },
      ...rows.slice(0, TEAMS_LIMITS.tableRows).map((r) => ({
        type: 'TableRow',
        cells: [cell(`${r.title}${r.articleSays ? ' \\*' : ''}`), cell(statusText(r.coexistence)), cell(statusText(r.apiOnly))],
      })),
    ],
  };
}

export function comparisonCard(c: Comparison): Card {
  return card(
    [
      heading(`${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}`),
      subtle('✅ yes · ❌ no · ⚠️ partly · \\* the provider help article is outdated on this row'),
      comparisonTable(c.rows),
      subtle(`Least recently verified row: ${c.lastVerified}. Ask about any row, e.g. "calls".`),
    ],
    [submit('Recommend a setup', { action: SUBMIT.openForm }, 'positive')],
    `${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}: ${c.rows.length} features compared`,
  );
}
