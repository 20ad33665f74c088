import type { Knowledge } from '../knowledge/schema.ts';
import { vectorise, type Classifier, type SparseVector } from './classifier.ts';
import { knowledgeLines, readTrainingSet } from './training.ts';

// For `explain` only: which training lines are closest to a question as the classifier sees it (the cosine of their
// TF-IDF feature vectors), per topic, with the file each line is written in. A support lead sees which lines taught
// the classifier its answer, and which file to edit. Built on first use (a few tens of ms); answer() never runs it.

export interface NearestLine {
  text: string;
  /** `training/<file>.jsonl` for a labelled question; the knowledge file for a title, phrasing, need or situation. */
  file: string;
  /** Cosine similarity of the feature vectors, 0–1. */
  similarity: number;
}

export interface NearestLines {
  /** Reads the question once; then, per topic, up to `max` of its lines, closest first. */
  closest(question: string): (topic: string, max: number) => NearestLine[];
}

interface Line {
  text: string;
  file: string;
  topics: string[];
  x: SparseVector;
  norm: number;
}

const norm = (x: SparseVector) => Math.sqrt(x.val.reduce((s, v) => s + v * v, 0));

export function nearestLinesFor(c: Classifier, knowledge: Knowledge, trainingDir?: string): NearestLines {
  const vec = (text: string) => vectorise(text, c.index, c.idf, c.wordStart, c.wordBlock);
  const lines: Line[] = [];
  const add = (text: string, file: string, topics: string[]) => {
    const x = vec(text);
    const n = norm(x);
    if (n > 0) lines.push({ text, file, topics, x, norm: n });
  };
  for (const l of knowledgeLines(knowledge)) add(l.text, l.file, [l.topic]);
  let files: ReturnType<typeof readTrainingSet>['files'] = [];
  try {
    files = readTrainingSet(new Set(knowledge.topics.map((t) => t.id)), trainingDir).files;
  } catch {
    // No training folder beside the code (an unusual install): the knowledge's own lines still explain.
  }
  for (const f of files) for (const l of f.lines) add(l.q, `training/${f.name}`, l.topics.filter((t): t is string => t !== null));

  return {
    closest(question) {
      const q = vec(question);
      const qn = norm(q);
      const weight = new Map<number, number>();
      for (let k = 0; k < q.idx.length; k++) weight.set(q.idx[k]!, q.val[k]!);
      const sims = lines.map((l) => {
        let dot = 0;
        if (qn > 0) for (let k = 0; k < l.x.idx.length; k++) dot += (weight.get(l.x.idx[k]!) ?? 0) * l.x.val[k]!;
        return qn > 0 ? dot / (qn * l.norm) : 0;
      });
      const order = lines.map((_, i) => i).sort((a, b) => sims[b]! - sims[a]! || a - b);
      return (topic, max) => {
        const out: NearestLine[] = [];
        for (const i of order) {
          if (out.length >= max) break;
          if (lines[i]!.topics.includes(topic)) out.push({ text: lines[i]!.text, file: lines[i]!.file, similarity: Math.round(sims[i]! * 1000) / 1000 });
        }
        return out;
      };
    },
  };
}
