import type { ReportLine, ReportReply, ReportSection } from '../../../src/index.ts';
import { SUBMIT_LIMITS, TEAMS_LIMITS } from '../limits.ts';
import { escapeMarkdown, userText } from '../markdown.ts';
import { card, heading, subheading, subtle, text, type Card, type Element } from './common.ts';
import { cardActions } from './reply-actions.ts';

// The knowledge owner's report (`report` in a personal chat, owners only): the figures, then the questions to learn
// from, each correction with Accept / Dismiss while it waits for review. Questions are user text: on one line,
// escaped. The card stays within its byte budget by showing fewer lines per section (the command line has them all).

const REVIEWED = { accepted: '✅ accepted', dismissed: '✖️ dismissed' } as const;

function lineText(line: ReportLine): string {
  const question = userText(line.question.replace(/\s+/g, ' ').trim(), SUBMIT_LIMITS.shownQuestionChars);
  const review = line.correction && line.correction.review !== 'pending' ? ` · **${REVIEWED[line.correction.review]}**` : '';
  return `${line.count !== undefined ? `**${line.count}×** ` : ''}“${question}”${line.note ? ` _${escapeMarkdown(line.note)}_` : ''}${review}`;
}

/** Accept / Dismiss for a correction waiting for review. */
function reviewButtons(line: ReportLine): Element[] {
  // A question longer than a submit may carry back could not be found again: no buttons (the command line reviews it).
  if (!line.actions?.length || line.question.length > SUBMIT_LIMITS.reviewQuestionChars) return [];
  return [{ type: 'ActionSet', spacing: 'Small', actions: cardActions(line.actions) }];
}

function sectionElements(s: ReportSection, shown: number): Element[] {
  const out: Element[] = [subheading(s.title), subtle(s.hint)];
  if (s.lines.length === 0) return [...out, text(s.empty, { spacing: 'Small' })];
  const lines = s.lines.slice(0, shown);
  if (s.id === 'corrections') for (const line of lines) out.push(text(lineText(line), { spacing: 'Small' }), ...reviewButtons(line));
  else out.push(text(lines.map((l) => `- ${lineText(l)}`).join('\n'), { spacing: 'Small' }));
  if (s.lines.length > lines.length) out.push(subtle(`…and ${s.lines.length - lines.length} more: run coexist-advisor report for all of them.`));
  return out;
}

export function reportCard(reply: ReportReply): Card {
  if (reply.unavailable) return card([heading(reply.title), text(reply.unavailable)], [], reply.unavailable);
  const draw = (shown: number) =>
    card(
      [
        heading(`📊 ${reply.title}`),
        subtle(reply.period),
        { type: 'FactSet', facts: reply.figures.map((f) => ({ title: f.label, value: f.value })) },
        ...reply.sections.flatMap((s) => sectionElements(s, shown)),
        subheading('What to do with it'),
        text(reply.next.map((step, i) => `${i + 1}. ${step}`).join('\n')),
      ],
      [],
      reply.summary,
    );
  const most = Math.max(0, ...reply.sections.map((s) => s.lines.length));
  let drawn = draw(most);
  for (let shown = most - 1; shown >= 1 && Buffer.byteLength(JSON.stringify(drawn)) > TEAMS_LIMITS.cardBudgetBytes; shown--) drawn = draw(shown);
  return drawn;
}
