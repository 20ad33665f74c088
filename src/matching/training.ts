import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knowledge } from '../knowledge/schema.ts';
import { OFF_TOPIC, type TrainParams } from './classifier.ts';
import type { Example } from './train.ts';

// The classifier's training data: every labelled question in src/knowledge/training/*.jsonl, plus each topic's
// title, its phrasings (matching.yml), the labels of its needs and its situations from the built-in knowledge. A training line is
// `{"q": "question as staff write it", "topics": ["topic-id"]}`; `"topics": [null]` marks an off-topic question,
// and several topics mean any of them is a right answer. Knowledge owners and developers add lines; production
// corrections (`report --export-training --out training/corrections.jsonl`) write the same format.

export const TRAINING_DIR = fileURLToPath(new URL('../knowledge/training/', import.meta.url));

export interface TrainingLine {
  q: string;
  topics: (string | null)[];
  /** Who wrote it, to which brief, in which style (blind batches say; used to hold a writer or a style out in --cv). */
  writer?: string;
  brief?: string;
  style?: string;
}

/** Parses one training file; every problem is reported with its file and line. */
export function parseTrainingLines(text: string, file: string, topicIds: ReadonlySet<string>): { lines: TrainingLine[]; problems: string[] } {
  const lines: TrainingLine[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.push(`${where}: not valid JSON: ${(err as Error).message}`);
      return;
    }
    const v = value as Partial<TrainingLine> | null;
    if (!v || typeof v !== 'object' || typeof v.q !== 'string' || v.q.trim() === '') {
      problems.push(`${where}: needs "q", the question as text`);
      return;
    }
    if (!Array.isArray(v.topics) || v.topics.length === 0) {
      problems.push(`${where}: needs "topics", a list of topic ids, or [null] for an off-topic question`);
      return;
    }
    const unknown = v.topics.filter((t) => t !== null && !(typeof t === 'string' && topicIds.has(t)));
    if (unknown.length > 0) {
      problems.push(`${where}: unknown topic ${unknown.map((t) => JSON.stringify(t)).join(', ')} (known: ${[...topicIds].join(', ')})`);
      return;
    }
    if (v.topics.includes(null) && v.topics.length > 1) {
      problems.push(`${where}: [null] (off-topic) cannot be combined with topics`);
      return;
    }
    const extra: Partial<TrainingLine> = {};
    for (const key of ['writer', 'brief', 'style'] as const) {
      const value = (v as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(`${where}: "${key}" must be a non-empty string when given`);
        return;
      }
      extra[key] = value;
    }
    lines.push({ q: v.q, topics: v.topics, ...extra });
  });
  return { lines, problems };
}

export function readTrainingSet(topicIds: ReadonlySet<string>, dir = TRAINING_DIR): { files: { name: string; lines: TrainingLine[] }[]; problems: string[] } {
  const names = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  const problems: string[] = [];
  const files = names.map((name) => {
    const parsed = parseTrainingLines(readFileSync(path.join(dir, name), 'utf8'), name, topicIds);
    problems.push(...parsed.problems);
    return { name, lines: parsed.lines };
  });
  return { files, problems };
}

/** The topics as classes, in the knowledge's order, and the off-topic class last. */
export function classesOf(knowledge: Knowledge): string[] {
  return [...knowledge.topics.map((t) => t.id), OFF_TOPIC];
}

/** One line of the knowledge that says how a topic is asked, and where it is written. */
export interface KnowledgeLine {
  text: string;
  topic: string;
  field: 'title' | 'phrasing' | 'need' | 'situation';
  /** The file a knowledge owner edits to change it. */
  file: string;
}

/** What the knowledge itself says about how each topic is asked: its title, phrasings, needs' labels and situations. */
export function knowledgeLines(knowledge: Knowledge): KnowledgeLine[] {
  return knowledge.topics.flatMap((t): KnowledgeLine[] => [
    { text: t.title, topic: t.id, field: 'title', file: `topics/${t.id}.yml` },
    ...(knowledge.matching.phrasings[t.id] ?? []).map((text) => ({ text, topic: t.id, field: 'phrasing' as const, file: 'matching.yml' })),
    ...knowledge.needs.filter((n) => n.topic === t.id).map((n) => ({ text: n.label, topic: t.id, field: 'need' as const, file: 'needs.yml' })),
    ...(t.situations ?? []).map((text) => ({ text, topic: t.id, field: 'situation' as const, file: `topics/${t.id}.yml` })),
  ]);
}

/** The knowledge's own lines as training examples of their topic: a situation added today is learnt at `npm run train`. */
export function knowledgeExamples(knowledge: Knowledge): Example[] {
  return knowledgeLines(knowledge).map((l) => ({ text: l.text, target: [l.topic] }));
}

export function lineExamples(lines: TrainingLine[]): Example[] {
  return lines.map((l) => ({ text: l.q, target: l.topics.map((t) => t ?? OFF_TOPIC) }));
}

/** The code the model depends on: a change to any of these files makes the model stale. */
const CODE = ['features.ts', 'classifier.ts', 'train.ts', 'gloss.ts'].map((f) => fileURLToPath(new URL(`./${f}`, import.meta.url)));

/** sha256 over the examples, classes, parameters and the feature and training code. */
export function inputsHash(examples: Example[], classes: string[], params: TrainParams): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ classes, params }));
  for (const e of examples) h.update('\n').update(JSON.stringify([e.text, e.target]));
  for (const file of CODE) h.update('\n').update(readFileSync(file, 'utf8').replace(/\r\n/g, '\n'));
  return h.digest('hex');
}
