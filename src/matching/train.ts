import { featureCounts } from './features.ts';
import { vectorise, wordStartOf, type Classifier, type ModelFile, type SparseVector, type TrainParams } from './classifier.ts';

// Training of the classifier: TF-IDF (smoothed idf, sublinear tf, each block L2-normalised) and multinomial logistic
// regression with L2, fitted by Adagrad in a seeded order. Deterministic: the same examples and parameters give the
// same weights, bit for bit, on the same Node version. About 150 lines, on purpose: ml-logistic-regression (the
// npm library checked first) is dense-only full-batch gradient descent without regularisation or probabilities, and
// took 152 s for 5 of its 50,000 default steps on a matrix this size.

/** One labelled question. `target` gives each acceptable class an equal share (one class: 1). */
export interface Example {
  text: string;
  target: string[];
}

export const DEFAULT_PARAMS: TrainParams = { minDf: 2, epochs: 30, learningRate: 0.5, l2: 1e-5, seed: 20261125, wordBlock: 1, gloss: 1 };

/** mulberry32: a small seeded generator, so the training order is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Trained {
  classifier: Classifier;
  /** Float weights before quantisation, for the model file. */
  raw: { features: string[]; idf: Float64Array; weights: Float64Array; bias: Float64Array };
}

export function train(examples: Example[], classes: string[], params: TrainParams = DEFAULT_PARAMS): Trained {
  const C = classes.length;
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  // Vocabulary: features in at least minDf questions, sorted (character block first, then words).
  const df = new Map<string, number>();
  const counted = examples.map((e) => featureCounts(e.text));
  for (const counts of counted) for (const f of counts.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const features = [...df].filter(([, n]) => n >= params.minDf).map(([f]) => f).sort();
  const index = new Map(features.map((f, i) => [f, i]));
  const N = examples.length;
  const idf = Float64Array.from(features, (f) => Math.log((1 + N) / (1 + df.get(f)!)) + 1);
  const wordStart = wordStartOf(features);

  const xs: SparseVector[] = examples.map((e) => vectorise(e.text, index, idf, wordStart, params.wordBlock));
  const ys: Float64Array[] = examples.map((e) => {
    const y = new Float64Array(C);
    for (const t of e.target) {
      const j = classIndex.get(t);
      if (j === undefined) throw new Error(`unknown class ${t}`);
      y[j] = 1 / e.target.length;
    }
    return y;
  });

  const F = features.length;
  const W = new Float64Array(F * C);
  const G = new Float64Array(F * C);
  const b = new Float64Array(C);
  const Gb = new Float64Array(C);
  const z = new Float64Array(C);
  const random = seeded(params.seed);
  const order = Array.from({ length: N }, (_, i) => i);
  const eps = 1e-8;
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const n of order) {
      const x = xs[n]!;
      const y = ys[n]!;
      z.set(b);
      for (let k = 0; k < x.idx.length; k++) {
        const base = x.idx[k]! * C;
        const v = x.val[k]!;
        for (let c = 0; c < C; c++) z[c]! += v * W[base + c]!;
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, z[c]!);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += z[c] = Math.exp(z[c]! - max);
      for (let c = 0; c < C; c++) z[c] = z[c]! / sum - y[c]!; // the gradient of the loss by the score
      for (let c = 0; c < C; c++) {
        const g = z[c]!;
        Gb[c]! += g * g;
        b[c]! -= (params.learningRate * g) / Math.sqrt(Gb[c]! + eps);
      }
      for (let k = 0; k < x.idx.length; k++) {
        const base = x.idx[k]! * C;
        const v = x.val[k]!;
        for (let c = 0; c < C; c++) {
          const g = z[c]! * v + params.l2 * W[base + c]!;
          G[base + c]! += g * g;
          W[base + c]! -= (params.learningRate * g) / Math.sqrt(G[base + c]! + eps);
        }
      }
    }
  }
  const classifier: Classifier = { classes, index, idf: Float32Array.from(idf), weights: Float32Array.from(W), bias: b, wordStart, wordBlock: params.wordBlock, gloss: params.gloss === 1 };
  return { classifier, raw: { features, idf, weights: W, bias: b } };
}

/** The model file: int8 weights with one scale per class (a quarter of the size; the answers are the same). */
export function toModelFile(t: Trained, classes: string[], params: TrainParams, inputsHash: string, examples: Example[]): ModelFile {
  const C = classes.length;
  const { features, idf, weights, bias } = t.raw;
  const scales = classes.map((_, c) => {
    let max = 0;
    for (let i = c; i < weights.length; i += C) max = Math.max(max, Math.abs(weights[i]!));
    return max === 0 ? 1 : max / 127;
  });
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i]! / scales[i % C]!);
  const perClass: Record<string, number> = {};
  for (const e of examples) for (const t of e.target) perClass[t] = (perClass[t] ?? 0) + 1;
  return {
    format: 1,
    inputsHash,
    params,
    classes,
    features,
    idf: Buffer.from(Float32Array.from(idf).buffer).toString('base64'),
    weights: Buffer.from(q.buffer).toString('base64'),
    scales: scales.map((s) => Number(s.toPrecision(9))),
    bias: Array.from(bias, (v) => Number(v.toPrecision(9))),
    examples: { total: examples.length, perClass: Object.fromEntries(Object.entries(perClass).sort()) },
  };
}
