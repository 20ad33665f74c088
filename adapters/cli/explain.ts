import type { Command } from 'commander';
import { explain, type Explanation, type Knowledge } from '../../src/index.ts';

// `coexist-advisor explain "<question>"`: how the matcher read a question, for a knowledge owner finding out why
// it missed. The normalised terms, the known and unknown words, BM25 and classifier scores per candidate topic,
// the fused result, why the gate said yes or no (with the thresholds of src/matching/thresholds.ts), and for the
// best candidates what drove each reader: the knowledge line BM25 matched best (a situation, phrasing, need or
// title) and the training lines closest to the question as the classifier sees it, with their files.

export interface ExplainCommandIo {
  out: (text: string) => void;
  knowledge: () => Knowledge;
  /** Stops the command as bad input (exit code 2) with this message. */
  badInput: (message: string) => never;
}

/** Control characters and bidi overrides from the question must not steer the terminal. */
const plain = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');

const num = (x: number): string => x.toFixed(3);
/** Long pasted training lines are cut in the text form (--json has them whole). */
const short = (text: string): string => (text.length > 120 ? `${text.slice(0, 119)}…` : text);
const list = (words: string[]): string => (words.length ? words.map(plain).join(', ') : '—');

/** Candidates shown in the text form; --json has them all. */
const SHOWN_CANDIDATES = 8;
/** Candidates whose matched knowledge line and nearest training lines the text form shows. */
const WHY_CANDIDATES = 3;

export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  lines.push(`Question: ${JSON.stringify(plain(e.question))}`);
  lines.push(`Terms (synonyms applied, stop words dropped, stemmed): ${list(e.terms)}`);
  lines.push(`Known to the knowledge:   ${list(e.words.known)}`);
  lines.push(`Known to the classifier:  ${list(e.words.classifierOnly)} (learnt from the training set only)`);
  lines.push(`Unknown words:            ${list(e.words.unknown)}`);
  lines.push(`Stop words:               ${list(e.words.ignored)}`);
  lines.push('');
  if (e.candidates.length === 0) lines.push('Candidates: none');
  else {
    lines.push(`${'Candidate topic'.padEnd(22)}${'BM25'.padStart(7)}${'relative'.padStart(10)}${'classifier'.padStart(12)}${'fused'.padStart(7)}`);
    for (const c of e.candidates.slice(0, SHOWN_CANDIDATES)) {
      lines.push(`${c.topic.padEnd(22)}${c.bm25.toFixed(2).padStart(7)}${num(c.bm25Relative).padStart(10)}${num(c.classifier).padStart(12)}${num(c.fused).padStart(7)}`);
    }
    if (e.candidates.length > SHOWN_CANDIDATES) lines.push(`… and ${e.candidates.length - SHOWN_CANDIDATES} more (--json shows all)`);
  }
  lines.push(`Off-topic (classifier): ${e.offTopicProbability === null ? 'not read' : num(e.offTopicProbability)}`);
  lines.push('');
  lines.push(`Gate: ${e.gate.accepted ? 'yes, about a topic' : 'no, not about a topic'}`);
  for (const r of e.gate.reasons) lines.push(`  - ${r}`);
  lines.push('');
  const r = e.result;
  if (r.topic === null) lines.push(`Result: no topic (${plain(r.answer.message)})`);
  else lines.push(`Result: ${r.topic} (confidence ${num(r.confidence)})${r.alternatives.length ? `; alternatives: ${r.alternatives.join(', ')}` : ''}`);
  // What drove each reader to the best candidates: the knowledge line BM25 matched, the training lines nearest.
  for (const c of e.candidates.slice(0, WHY_CANDIDATES)) {
    lines.push('');
    lines.push(`Why ${c.topic}:`);
    const b = c.bm25Match;
    lines.push(b ? `  BM25 matched ${b.field}: ${JSON.stringify(plain(b.text))} (terms: ${list(b.terms)})` : '  BM25 did not find this topic');
    if (c.nearest.length === 0) lines.push("  classifier's closest training lines: none");
    else {
      lines.push("  classifier's closest training lines:");
      for (const n of c.nearest) lines.push(`    ${n.similarity.toFixed(2)} ${JSON.stringify(short(plain(n.text)))} (${n.file})`);
    }
  }
  return lines.join('\n');
}

export function registerExplainCommand(program: Command, io: ExplainCommandIo): void {
  program
    .command('explain')
    .description('show how the matcher read a question: terms, known and unknown words, scores per topic, the gate')
    .argument('[question...]', 'the question, e.g. "can we do video calls on api?"')
    .option('--json', 'print the explanation as JSON')
    .action((words: string[], o: { json?: boolean }) => {
      const question = words.join(' ');
      if (question.trim() === '') io.badInput('Give a question to explain: coexist-advisor explain "can we do video calls on api?"');
      const e = explain(question, io.knowledge());
      if (o.json) {
        const { result, ...rest } = e;
        io.out(JSON.stringify({ ...rest, result: { topic: result.topic, confidence: result.confidence, alternatives: result.alternatives } }, null, 2));
      } else io.out(formatExplanation(e));
    });
}
