import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import {
  CONFIDENCE_WORD,
  LOW_CONFIDENCE,
  SETUP_NAMES,
  SETUP_TITLE,
  STATUS_ICON,
  STATUS_WORD,
  VERDICT_WORD,
  countryName,
  type AnswerResult,
  type Comparison,
  type Finding,
  type Recommendation,
  type SetupAnswer,
  type TopicFacts,
} from '../../src/index.ts';

// Human output for an 80-column terminal. Pure functions: data in, text out.

export const WIDTH = 80;

/** Word-wraps to the terminal width; continuation lines hang under the text (after a bullet). Long URLs stay whole. */
const wrap = (text: string, indent = 2): string => {
  const hang = /^[•-] /.test(text) ? 2 : 0;
  return wrapAnsi(text, WIDTH - indent - hang, { hard: false, trim: true })
    .split('\n')
    .map((l, i) => ' '.repeat(indent + (i > 0 ? hang : 0)) + l)
    .join('\n');
};

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - stringWidth(text)));
const status = (s: SetupAnswer): string => `${STATUS_ICON[s.status]} ${STATUS_WORD[s.status]}`;

function sourcesBlock(facts: Pick<TopicFacts, 'sources' | 'lastVerified'>): string[] {
  return ['Sources:', ...facts.sources.map((s) => wrap(`- ${s.title}: ${s.url}`)), `Last verified ${facts.lastVerified}`];
}

export function formatAnswer(result: AnswerResult, titles: Record<string, string>): string {
  if (result.topic === null) {
    const lines = [result.answer.message];
    if (result.alternatives.length > 0) lines.push(...result.alternatives.map((id) => `  - ${titles[id] ?? id} (coexist-advisor ask ${id})`));
    else lines.push(...result.answer.examples.map((e) => `  coexist-advisor ask "${e}"`));
    return lines.join('\n');
  }
  const a = result.answer;
  const lines = [`${a.title}  [${a.id}]`];
  if (result.confidence < LOW_CONFIDENCE) lines.push(wrap(`(Best guess, confidence ${result.confidence.toFixed(2)}: check the related topics below.)`, 0));
  lines.push(wrap(a.question, 0), '');
  for (const [name, side] of [
    [SETUP_NAMES.coexistence, a.coexistence],
    [SETUP_NAMES['api-only'], a.apiOnly],
  ] as const) {
    lines.push(`${pad(name, 14)}${status(side)}`, wrap(side.answer), wrap(side.details, 4), '');
  }
  if (a.articleSays) {
    lines.push(wrap(`Note: the help article is ${VERDICT_WORD[a.articleSays.verdict]} here. It says: ${a.articleSays.claim} Now: ${a.articleSays.correction}`, 0), '');
  }
  lines.push(...sourcesBlock(a));
  if (result.alternatives.length > 0) lines.push(`Related: ${result.alternatives.map((id) => titles[id] ?? id).join(', ')}`);
  return lines.join('\n');
}

export function formatComparison(c: Comparison): string {
  const titleWidth = 44;
  const lines = [
    `${pad('', titleWidth)}${pad(SETUP_NAMES.coexistence, 18)}${SETUP_NAMES['api-only']}`,
    '-'.repeat(WIDTH - 2),
  ];
  for (const row of c.rows) {
    const mark = row.articleSays ? ' *' : '';
    lines.push(`${pad(row.title + mark, titleWidth)}${pad(status(row.coexistence), 18)}${status(row.apiOnly)}`);
  }
  lines.push(
    '',
    wrap('* the provider help article is outdated or incomplete on this row. Details: coexist-advisor ask <topic id>.', 0),
    `Least recently verified row: ${c.lastVerified}. ${c.sources.length} sources: coexist-advisor topics.`,
  );
  return lines.join('\n');
}

export function formatTopics(rows: TopicFacts[]): string {
  const lines = [`${pad('id', 24)}${pad('Co-Ex', 8)}${pad('API', 8)}${pad('verified', 12)}title`];
  for (const t of rows) {
    lines.push(`${pad(t.id, 24)}${pad(STATUS_ICON[t.coexistence.status], 8)}${pad(STATUS_ICON[t.apiOnly.status], 8)}${pad(t.lastVerified, 12)}${t.title}`);
  }
  return lines.join('\n');
}

function section(title: string, items: Finding[] | string[]): string[] {
  if (items.length === 0) return [];
  return ['', title, ...items.map((i) => wrap(`• ${typeof i === 'string' ? i : i.text}`))];
}

export function formatRecommendation(r: Recommendation): string {
  const q = r.requirements;
  const facts = [
    q.customer ? `Customer: ${q.customer}` : undefined,
    `Country: ${countryName(q.country)} (${q.country})`,
    q.agents !== undefined ? `Agents: ${q.agents}` : undefined,
    q.dailyMessages !== undefined ? `Messages/day: ${q.dailyMessages}` : undefined,
    q.peakMps !== undefined ? `Peak MPS: ${q.peakMps}` : undefined,
  ].filter(Boolean);
  const lines = [
    `Recommendation: ${SETUP_TITLE[r.setup]}`,
    CONFIDENCE_WORD[r.confidence],
    wrap(facts.join(' · '), 0),
    ...(q.needs.length ? [wrap(`Needs: ${q.needs.join(', ')}`, 0)] : []),
    ...section('Why', r.reasons),
    ...section('Conflicts (asked for, not given by this setup)', r.conflicts),
    ...section('Not met by either setup', r.unmet),
    ...section('What changes on switching', r.caveats),
    ...section('Alternative', r.alternative ? [r.alternative.text] : []),
    ...section('Notes', q.notes ? [q.notes] : []),
  ];
  return lines.join('\n');
}
