import type { HomeView, ModalView } from '@slack/types';
import type { HistoryReply, ReportLine, ReportReply, ReportSection } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, plain, userMrkdwn } from '../text.ts';
import { slackButtons } from './reply-actions.ts';
import { COMMAND, actions, clampBlocks, context, divider, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';
import { entryButtons, entryText } from './history.ts';

// The knowledge owner's report (App Home, `/coexist-vs-api report`): figures, then the questions to learn from,
// each correction with Accept / Dismiss. Questions are user text: escaped, and never next to our formatting.

const REVIEWED = { accepted: '✅ accepted', dismissed: '✖️ dismissed', pending: '' } as const;

function lineText(line: ReportLine): string {
  const question = userMrkdwn(line.question, 600);
  const review = line.correction && line.correction.review !== 'pending' ? ` · ${REVIEWED[line.correction.review]}` : '';
  return `• ${line.count !== undefined ? `*${line.count}×*  ` : ''}“${question}”${line.note ? `  _${escapeMrkdwn(line.note)}_` : ''}${review}`;
}

/** Lines in one section's worth of text, dropping whole lines past the limit (and saying so). */
function linesSection(lines: readonly ReportLine[]): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const next = `${text ? '\n' : ''}${lineText(lines[i]!)}`;
    if (text.length + next.length > SLACK_LIMITS.sectionText - 40) return `${text}\n_…and ${lines.length - i} more: see \`coexist-advisor report\`_`;
    text += next;
  }
  return text;
}

/** The blocks a correction line takes: its text, and its Accept / Dismiss while it waits for review. */
const correctionCost = (line: ReportLine) => (line.actions?.length ? 2 : 1);

function sectionBlocks(s: ReportSection, correctionBlocks = Infinity): Block[] {
  const blocks: Block[] = [section(`*${escapeMrkdwn(s.title)}*\n${escapeMrkdwn(s.hint)}`)];
  if (s.lines.length === 0) return [...blocks, context(escapeMrkdwn(s.empty))];
  if (s.id !== 'corrections') return [...blocks, section(linesSection(s.lines))];
  // Corrections: one line each, with Accept / Dismiss while it waits for review, as many as the message has room for
  // (one block kept to say how many more).
  let used = 0;
  for (const [i, line] of s.lines.entries()) {
    const left = s.lines.length - i;
    if (used + correctionCost(line) + (left > 1 ? 1 : 0) > correctionBlocks) {
      blocks.push(context(`_…and ${left} more to review: in App Home, or \`coexist-advisor report\`_`));
      break;
    }
    blocks.push(section(lineText(line)));
    if (line.actions?.length) blocks.push(actions(slackButtons(line.actions, { row: i }), `review_${i}`));
    used += correctionCost(line);
  }
  return blocks;
}

/**
 * The report's blocks, at most `maxBlocks` (a message's 50, or what the Home tab has left): the corrections are cut
 * short first, so every section and "What to do with it" stay (no message-level clamp: a message and the Home tab
 * have different limits).
 */
export function reportBlocks(reply: ReportReply, maxBlocks: number = SLACK_LIMITS.blocksPerMessage): Block[] {
  if (reply.unavailable) return [section(escapeMrkdwn(reply.unavailable))];
  // Everything but the corrections' lines: the head (3), each section's divider, title and body, the tail (3).
  const fixed = 3 + reply.sections.reduce((n, s) => n + (s.id === 'corrections' && s.lines.length > 0 ? 2 : 3), 0) + 3;
  const correctionBlocks = Math.max(1, maxBlocks - fixed);
  const blocks: Block[] = [
    header(`📊 ${reply.title}`),
    context(escapeMrkdwn(reply.period)),
    {
      type: 'section',
      fields: reply.figures.slice(0, SLACK_LIMITS.sectionFields).map((f) => ({ type: 'mrkdwn' as const, text: `*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}` })),
    },
  ];
  for (const s of reply.sections) blocks.push(divider(), ...sectionBlocks(s, correctionBlocks));
  blocks.push(
    divider(),
    section(`*What to do with it*\n${reply.next.map((step, i) => `${i + 1}. ${escapeMrkdwn(step)}`).join('\n')}`),
    actions(slackButtons(reply.actions), 'report_actions'),
  );
  return blocks;
}

/** `/coexist-vs-api report`: the report, to the asker alone. */
export function reportMessage(reply: ReportReply): SlackMessage {
  return { blocks: clampBlocks(reportBlocks(reply), SLACK_LIMITS.blocksPerMessage), text: fallbackText(reply.unavailable ?? reply.summary) };
}

/** The accepted corrections as training lines, in a modal to copy from. */
export function trainingLinesView(lines: readonly { q: string; topics: string[] }[] | undefined): ModalView {
  const blocks: Block[] = [];
  if (!lines) blocks.push(section('The store does not answer right now. Please try again in a minute.'));
  else if (lines.length === 0) blocks.push(section('No accepted corrections yet. Accept the right ones in the report first.'));
  else {
    blocks.push(section(`*${lines.length} training line${lines.length === 1 ? '' : 's'}* from accepted corrections. Add them to \`src/knowledge/training/corrections.jsonl\`, or let the command line do it:`));
    blocks.push(section('```coexist-advisor report --export-training --out src/knowledge/training/corrections.jsonl```'));
    // Each chunk of lines in a code block of its own, within a section's limit; the rest is the command line's.
    let chunk: string[] = [];
    let left = lines.length;
    const flush = () => {
      if (chunk.length > 0) blocks.push(section(`\`\`\`${chunk.join('\n')}\`\`\``));
      chunk = [];
    };
    for (const line of lines) {
      const json = escapeMrkdwn(JSON.stringify(line));
      if ([...chunk, json].join('\n').length + 6 > SLACK_LIMITS.sectionText) flush();
      if (blocks.length >= SLACK_LIMITS.blocksPerView - 3) break;
      chunk.push(json);
      left--;
    }
    flush();
    if (left > 0) blocks.push(context(`…and ${left} more: use the command line.`));
    blocks.push(context('Then: `npm run train`, `npx coexist-advisor check-knowledge`, `npm test`, and deploy.'));
  }
  return { type: 'modal', title: plain('Training lines', SLACK_LIMITS.viewTitle), close: plain('Close', SLACK_LIMITS.viewClose), blocks };
}

/** App Home: what the app does, your recent recommendations, and for the knowledge owners this week's report. */
export function homeView(intro: Block[], recent: HistoryReply, report: ReportReply | undefined): HomeView {
  const blocks: Block[] = [...intro, divider(), header('Your recent recommendations')];
  if (!recent.entries) blocks.push(section(escapeMrkdwn(recent.unavailable ?? 'The history is not available here.')));
  else if (recent.entries.length === 0) blocks.push(context(`None yet. Make one with \`${COMMAND} recommend\` or the button above.`));
  else {
    for (const entry of recent.entries) blocks.push(section(entryText(entry)), entryButtons(entry));
    blocks.push(context(`Also those made in your channels, by customer: \`${COMMAND} history Acme\`.`));
  }
  if (report) blocks.push(divider(), ...reportBlocks(report, SLACK_LIMITS.blocksPerView - blocks.length - 1));
  return { type: 'home', blocks: clampBlocks(blocks, SLACK_LIMITS.blocksPerView) };
}
