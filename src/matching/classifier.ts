import { readFileSync } from 'node:fs';
import { featureCounts } from './features.ts';

// The trained scorer: TF-IDF over the features of features.ts, then multinomial logistic regression over the topics
// plus one class for off-topic questions. The weights are trained by scripts/train.ts (npm run train) into the
// checked-in model.json; this file only reads them. Training data: src/knowledge/training/*.jsonl and the knowledge's
// titles and phrasings (see training.ts).

/** The class of questions that are about none of the topics. */
export const OFF_TOPIC = '(off-topic)';

/** The checked-in artifact. Weights are int8 per class scale, base64, feature-major: weight(f, c) = w[f * C + c] * scales[c]. */
export interface ModelFile {
  format: 1;
  /** sha256 of everything the model was trained from (training data, knowledge phrasings, this code, the parameters). */
  inputsHash: string;
  params: TrainParams;
  classes: string[];
  features: string[];
  /** Float32 idf per feature, base64. */
  idf: string;
  weights: string;
  scales: number[];
  bias: number[];
  examples: { total: number; perClass: Record<string, number> };
}

export interface TrainParams {
  /** A feature seen in fewer training questions than this is dropped (keeps the model small). */
  minDf: number;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Relative weight of the word block against the character block (each is L2-normalised first). */
  wordBlock: number;
  /** 1: questions are read with their gloss (gloss.ts), the English of their synonym words appended. Absent: 0. */
  gloss?: number;
}

export interface Classifier {
  classes: string[];
  index: Map<string, number>;
  idf: Float32Array;
  weights: Float32Array;
  bias: Float64Array;
  wordStart: number;
  wordBlock: number;
  /** Read questions with their gloss (the model was trained so). */
  gloss: boolean;
}

/** A question as a sparse TF-IDF vector: feature indexes and values (each block L2-normalised). */
export interface SparseVector {
  idx: Int32Array;
  val: Float64Array;
}

/** Features are stored sorted: character features ("c:…") first, then word features ("w:…") from `wordStart` on. */
export function vectorise(text: string, index: Map<string, number>, idf: ArrayLike<number>, wordStart: number, wordBlock: number): SparseVector {
  const idx: number[] = [];
  const val: number[] = [];
  let wordNorm = 0;
  let charNorm = 0;
  for (const [f, tf] of featureCounts(text)) {
    const i = index.get(f);
    if (i === undefined) continue;
    const v = (1 + Math.log(tf)) * idf[i]!;
    idx.push(i);
    val.push(v);
    if (i >= wordStart) wordNorm += v * v;
    else charNorm += v * v;
  }
  const ws = wordNorm > 0 ? wordBlock / Math.sqrt(wordNorm) : 0;
  const cs = charNorm > 0 ? 1 / Math.sqrt(charNorm) : 0;
  const out = new Float64Array(val.length);
  for (let k = 0; k < val.length; k++) out[k] = val[k]! * (idx[k]! >= wordStart ? ws : cs);
  return { idx: Int32Array.from(idx), val: out };
}

export function wordStartOf(features: readonly string[]): number {
  const i = features.findIndex((f) => f.startsWith('w:'));
  return i === -1 ? features.length : i;
}

/** Probabilities per class (softmax of the linear scores), in the order of `classes`. */
export function probabilities(c: Classifier, text: string): Float64Array {
  const x = vectorise(text, c.index, c.idf, c.wordStart, c.wordBlock);
  const C = c.classes.length;
  const z = Float64Array.from(c.bias);
  for (let k = 0; k < x.idx.length; k++) {
    const base = x.idx[k]! * C;
    const v = x.val[k]!;
    for (let j = 0; j < C; j++) z[j]! += v * c.weights[base + j]!;
  }
  return softmaxInPlace(z);
}

/** Turns class scores into probabilities, in place (shifted by the maximum, so large scores cannot overflow). */
export function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (let j = 0; j < z.length; j++) max = Math.max(max, z[j]!);
  let sum = 0;
  for (let j = 0; j < z.length; j++) sum += z[j] = Math.exp(z[j]! - max);
  for (let j = 0; j < z.length; j++) z[j]! /= sum;
  return z;
}

export function fromModelFile(m: ModelFile): Classifier {
  const C = m.classes.length;
  const bytes = (b64: string) => {
    const b = Buffer.from(b64, 'base64');
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  const q = new Int8Array(bytes(m.weights));
  const idf = new Float32Array(bytes(m.idf));
  if (q.length !== m.features.length * C || idf.length !== m.features.length) throw new Error('model.json is corrupt: sizes do not match');
  const weights = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) weights[i] = q[i]! * m.scales[i % C]!;
  return {
    classes: m.classes,
    index: new Map(m.features.map((f, i) => [f, i])),
    idf,
    weights,
    bias: Float64Array.from(m.bias),
    wordStart: wordStartOf(m.features),
    wordBlock: m.params.wordBlock,
    gloss: m.params.gloss === 1,
  };
}

export const MODEL_FILE = new URL('./model.json', import.meta.url);

let loaded: { file: ModelFile; classifier: Classifier } | undefined;

/** The checked-in model, read once per process on first use. */
export function builtInModel(): { file: ModelFile; classifier: Classifier } {
  if (!loaded) {
    const file = JSON.parse(readFileSync(MODEL_FILE, 'utf8')) as ModelFile;
    loaded = { file, classifier: fromModelFile(file) };
  }
  return loaded;
}
