import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import {
  SETUP_IDS,
  SETUP_NAMES,
  type AnswerReply,
  type ExpertAnswerReply,
  type ExpertNoticeReply,
  type ExpertPerson,
  type ExpertQuestionReply,
  type ClarifyReply,
  type ComparisonReply,
  type FormReply,
  type GreetingReply,
  type HelpReply,
  type HistoryReply,
  type NoTopicReply,
  type NotHelpfulReply,
  type ReportReply,
  type RecheckNoteReply,
  type RecommendationReply,
  type Reply,
  type Row,
  type Source,
  type SourceChangesReply,
  type TopicsReply,
  type VerifyReminderReply,
} from '../src/index.ts';
import { LABELS } from '../src/index.ts';

// Human output for an 80-column terminal: draws a Reply (src/present) as text. Pure functions: data in, text out.

export const WIDTH = 80;
const BIN = 'coexist-advisor';

/** Word-wraps to the terminal width; continuation lines hang under the text (after a bullet). Long URLs stay whole. */
const wrap = (text: string, indent = 2): string => {
  const hang = /^[•-] /.test(text) ? 2 : 0;
  return wrapAnsi(text, WIDTH - indent - hang, { hard: false, trim: true })
    .split('\n')
    .map((l, i) => ' '.repeat(indent + (i > 0 ? hang : 0)) + l)
    .join('\n');
};

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - stringWidth(text)));

function sourcesBlock(sources: readonly Source[], lastVerified?: string): string[] {
  return ['Sources:', ...sources.map((s) => wrap(`- ${s.title}: ${s.url}`)), ...(lastVerified ? [`Last verified ${lastVerified}`] : [])];
}

const examples = (list: readonly string[]) => list.map((e) => `  ${BIN} ask "${e}"`);

/** One topic's answer: both setups, the help article's warning, sources. */
function answerLines(r: AnswerReply): string[] {
  const lines: string[] = [];
  for (const side of r.sides) {
    lines.push(side.status ? `${pad(side.name, 14)}${side.status.text}` : side.name, wrap(side.answer), wrap(side.details, 4), '');
  }
  if (r.warning) lines.push(wrap(`⚠️  ${r.warning.lead} It says: ${r.warning.claim} Now: ${r.warning.correction}`, 0), '');
  lines.push(...sourcesBlock(r.sources, r.lastVerified));
  if (r.stale) lines.push(wrap(r.stale, 0));
  return lines;
}

function formatAnswer(r: AnswerReply): string {
  const lines = [`${r.title}  [${r.topic}]`, '', ...answerLines(r)];
  if (r.unsure) lines.push('', r.unsure);
  if (r.also) lines.push('', '-'.repeat(WIDTH - 2), `${r.also.heading}  [${r.also.answer.topic}]`, '', ...answerLines(r.also.answer));
  return lines.join('\n');
}

/** A topic to ask for next: "  1. Title: coexist-advisor ask id", the command on a line of its own when it would pass WIDTH. */
function askLine(marker: string, title: string, topic: string): string[] {
  const command = `${BIN} ask ${topic}`;
  const one = `  ${marker} ${title}: ${command}`;
  return stringWidth(one) <= WIDTH ? [one] : [`  ${marker} ${title}:`, `     ${command}`];
}

/** "Which do you mean?": each topic with its question, and how to ask for it. */
const formatClarify = (r: ClarifyReply): string =>
  [r.message, wrap(`You asked: “${r.question}”`, 0), '', ...r.topics.flatMap((t, i) => [...askLine(`${i + 1}.`, t.title, t.topic), wrap(t.asks, 5)])].join('\n');

function formatNoTopic(r: NoTopicReply): string {
  const lines = [wrap(r.message, 0)];
  if (r.topics.length > 0) lines.push(...r.topics.flatMap((t) => askLine('-', t.title, t.topic)));
  else lines.push(...examples(r.examples));
  lines.push('', wrap(r.hint, 0));
  return lines.join('\n');
}

const formatGreeting = (r: GreetingReply): string => [r.title, wrap(r.text, 0), ...examples(r.examples)].join('\n');

const formatHelp = (r: HelpReply): string =>
  [r.title, wrap(r.intro, 0), '', 'Try:', ...examples(r.examples), '', 'Ask for:', ...r.commands.map((c) => `  ${pad(`${BIN} ask ${c.usage}`, 40)}${c.what}`), '', `More: ${BIN} --help`].join('\n');

/** A row's cell for a fixed-width table; words (Pricing, who each setup suits) get a line of their own. */
function rowLines(row: Row, titleWidth: number): string[] {
  const [a, b] = SETUP_IDS.map((s) => row.cells[s]);
  if (a!.kind === 'status' && b!.kind === 'status') {
    const statuses = `${pad(a!.text, 18)}${b!.text}`;
    // A long label ("… (help article outdated)") gets its own line rather than pushing past 80 columns.
    return stringWidth(row.label) < titleWidth ? [`${pad(row.label, titleWidth)}${statuses}`] : [row.label, `${pad('', titleWidth)}${statuses}`];
  }
  return [row.label, ...SETUP_IDS.map((s) => wrap(`${SETUP_NAMES[s]}: ${row.cells[s].text}`, 4))];
}

function formatComparison(c: ComparisonReply): string {
  const titleWidth = 44;
  const lines = [`${pad('', titleWidth)}${pad(SETUP_NAMES.coexistence, 18)}${SETUP_NAMES['api-only']}`, '-'.repeat(WIDTH - 2)];
  for (const row of c.rows) lines.push(...rowLines(row, titleWidth));
  lines.push('', wrap(`${c.legend}. Details on a row: ${BIN} ask <topic id>.`, 0), wrap(`Least recently verified row: ${c.lastVerified}. ${c.sources.length} sources: ${BIN} topics --json.`, 0));
  return lines.join('\n');
}

function formatTopics(t: TopicsReply): string {
  const lines = [`${pad('id', 24)}${pad('Co-Ex', 8)}${pad('API', 8)}title`];
  for (const r of t.rows) {
    const icon = (s: (typeof SETUP_IDS)[number]) => (r.cells[s].kind === 'status' ? (r.cells[s] as { icon: string }).icon : '·');
    lines.push(`${pad(r.topic, 24)}${pad(icon('coexistence'), 8)}${pad(icon('api-only'), 8)}${r.title}${r.stale ? `  (⚠️ ${r.stale})` : ''}`);
  }
  return lines.join('\n');
}

function formatRecommendation(r: RecommendationReply): string {
  const facts = [...(r.customer ? [`Customer: ${r.customer}`] : []), ...r.facts.map((f) => `${f.label}: ${f.value}`)];
  const lines = [`Recommendation: ${r.setupTitle}`, r.confidence.text, wrap(facts.join(' · '), 0)];
  if (r.needs.length) lines.push(wrap(`Needs: ${r.needs.join(', ')}`, 0));
  for (const s of r.sections) lines.push('', s.title, ...s.items.map((i) => wrap(`• ${i}`)));
  if (r.rows.length) lines.push('', r.rowsTitle, ...r.rows.flatMap((row) => rowLines(row, 44).map((l) => `  ${l}`)));
  if (r.notes) lines.push('', 'Notes', wrap(r.notes));
  lines.push('', ...sourcesBlock(r.sources, r.lastVerified));
  if (r.stale) lines.push(wrap(r.stale, 0));
  return lines.join('\n');
}

const formatForm = (r: FormReply): string =>
  [
    `${LABELS.recommend}: give what the customer needs, e.g.`,
    `  ${BIN} recommend${r.customer ? ` --customer ${JSON.stringify(r.customer)}` : ''} --country IN --agents 3 --peak-mps 12 --need calls --need phone-app`,
    `  ${BIN} recommend --file requirements.json`,
  ].join('\n');

const formatHistory = (r: HistoryReply): string => {
  if (!r.entries) return `Past recommendations: ${BIN} history${r.customer ? ` --customer ${JSON.stringify(r.customer)}` : ''} [--since 30d] [--json]`;
  const whose = r.whose ? [r.whose] : [];
  if (r.entries.length === 0) return [r.title, r.empty, ...whose].join('\n');
  return [r.title, ...whose, ...r.entries.map((e) => `  ${e.id}  ${e.when}  ${e.setupTitle}${e.customer ? ` for ${e.customer}` : ''} (${e.confidence.level})${e.link ? `  ${e.link}` : ''}`)].join('\n');
};

const formatNotHelpful = (r: NotHelpfulReply): string =>
  [r.message, ...r.topics.map((t) => `  ${BIN} ask ${JSON.stringify(t.topic)}   (${t.title})`)].join('\n');

/** From `ask report`: the report lives in its own command (it reads the store). */
const formatReportRequest = (_r: ReportReply): string => `The knowledge owner's report: ${BIN} report [--since 7d] [--json]`;

/** A recheck note: what changed in the facts, the verdict then and now. */
const formatRecheckNote = (r: RecheckNoteReply): string =>
  [
    r.title,
    `Recommendation ${r.id}${r.customer ? ` for ${r.customer}` : ''}, made ${r.made}.`,
    `${r.factsTitle}:`,
    ...r.facts.map((f) => `  - ${f}`),
    `Then: ${r.before.setupTitle} (${r.before.confidence.text}).`,
    `Now:  ${r.after.setupTitle} (${r.after.confidence.text}).`,
    ...r.verdict.map((v) => `  ${v}`),
    `The updated recommendation: ${BIN} recheck --json, or make it again with ${BIN} recommend.`,
  ].join('\n');
/** A verifier's reminder: the facts to check, sources and dates; its buttons are the chat's (named here). */
function formatVerifyReminder(r: VerifyReminderReply): string {
  const lines = [r.title, '', wrap(r.intro, 0), ''];
  for (const side of r.sides) lines.push(side.status ? `${pad(side.name, 14)}${side.status.text}` : side.name, wrap(side.answer), wrap(side.details, 4), '');
  lines.push(...sourcesBlock(r.sources), r.dates, '', `In Slack or Teams: ${r.actions.map((a) => a.label).join(' · ')}`);
  return lines.join('\n');
}

/** Someone on either side of an expert question: their name, else their platform's id. */
const person = (p: ExpertPerson): string => p.name ?? `${p.platform} user ${p.userId}`;

const actionLabels = (actions: readonly { label: string }[]): string[] => (actions.length > 0 ? ['', ...actions.map((a) => `  [${a.label}]`)] : []);

const formatExpertQuestion = (r: ExpertQuestionReply): string =>
  [r.title, wrap(`“${r.question}”`), `${person(r.asker)} · ${r.asked}`, wrap(r.advisor, 0), ...(r.topics.length ? [`${r.topicsTitle}: ${r.topics.map((t) => t.title).join(' · ')}`] : []), wrap(r.hint, 0), ...actionLabels(r.actions)].join('\n');

const formatExpertAnswer = (r: ExpertAnswerReply): string =>
  [r.title, wrap(`You asked: “${r.question}”`, 0), '', wrap(r.answer, 0), '', `${person(r.by)} · ${r.answered}`, ...actionLabels(r.actions)].join('\n');

const formatExpertNotice = (r: ExpertNoticeReply): string =>
  [wrap(`${r.tone === 'done' ? '✓' : '!'} ${r.message}`, 0), ...(r.question !== undefined ? [wrap(`Your question: “${r.question}”`, 0)] : []), ...actionLabels(r.actions)].join('\n');

/** Cited pages that changed (the source watch's message), as text. */
const formatSourceChanges = (r: SourceChangesReply): string =>
  [
    r.title,
    wrap(r.intro, 0),
    ...r.changes.flatMap((c) => ['', `${c.title}`, `  ${c.url}`, wrap(c.what), ...(c.topics.length ? [wrap(`Due for verification: ${c.topics.join(', ')}`)] : [])]),
    '',
    ...r.next.map((step, i) => wrap(`${i + 1}. ${step}`, 0)),
  ].join('\n');

/** Any reply as terminal text. */
export function formatReply(reply: Reply): string {
  switch (reply.kind) {
    case 'answer':
      return formatAnswer(reply);
    case 'off-topic':
      return formatNoTopic(reply);
    case 'clarify':
      return formatClarify(reply);
    case 'greeting':
      return formatGreeting(reply);
    case 'help':
      return formatHelp(reply);
    case 'topics':
      return formatTopics(reply);
    case 'comparison':
      return formatComparison(reply);
    case 'form':
      return formatForm(reply);
    case 'recommendation':
      return formatRecommendation(reply);
    case 'history':
      return formatHistory(reply);
    case 'not-helpful':
      return formatNotHelpful(reply);
    case 'report':
      return formatReportRequest(reply);
    case 'recheck-note':
      return formatRecheckNote(reply);
    case 'expert-question':
      return formatExpertQuestion(reply);
    case 'expert-answer':
      return formatExpertAnswer(reply);
    case 'expert-notice':
      return formatExpertNotice(reply);
    case 'source-changes':
      return formatSourceChanges(reply);
    case 'verify-reminder':
      return formatVerifyReminder(reply);
  }
}
