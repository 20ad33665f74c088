import { CHAR_GRAMS, wordsOf } from './features.ts';
import { softmaxInPlace, type Classifier } from './classifier.ts';

// The classifier's probabilities at answer time, without the garbage: the same features as features.ts and the
// same TF-IDF and softmax as classifier.ts, but character n-grams are found by a hash of their characters instead
// of as new strings (a long question has hundreds), and counts go into a reused array. answer() runs this on every
// new question, and allocation there drives garbage collection, which sets its p99. test/core/matcher.test.ts
// checks it against probabilities() of classifier.ts.

const SPACE = 32;
const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
/** 30 bits keep the keys small integers in V8; collisions are resolved by comparing characters. */
const KEY_BITS = 0x3fffffff;

export type Scorer = (text: string) => Float64Array;

const scorers = new WeakMap<Classifier, Scorer>();

export function scorerFor(c: Classifier): Scorer {
  let s = scorers.get(c);
  if (!s) scorers.set(c, (s = buildScorer(c)));
  return s;
}

function buildScorer(c: Classifier): Scorer {
  const F = c.idf.length;
  const C = c.classes.length;
  const words = new Map<string, number>();
  const charGrams = new Map<number, number | number[]>();
  const gramText: string[] = new Array(F);
  for (const [f, i] of c.index) {
    if (f.startsWith('w:')) {
      words.set(f.slice(2), i);
      continue;
    }
    const g = f.slice(2);
    gramText[i] = g;
    let h = FNV_OFFSET;
    for (let k = 0; k < g.length; k++) h = Math.imul(h ^ g.charCodeAt(k), FNV_PRIME);
    const key = h & KEY_BITS;
    const prev = charGrams.get(key);
    charGrams.set(key, prev === undefined ? i : Array.isArray(prev) ? [...prev, i] : [prev, i]);
  }

  const counts = new Float64Array(F);
  let touched = new Int32Array(256);
  let n = 0;
  const count = (i: number) => {
    if (counts[i] === 0) {
      if (n === touched.length) {
        const bigger = new Int32Array(touched.length * 2);
        bigger.set(touched);
        touched = bigger;
      }
      touched[n++] = i;
    }
    counts[i]! += 1;
  };
  /** Character `k` of ` word ` (the word padded with a space each side). */
  const padded = (w: string, k: number) => (k === 0 || k === w.length + 1 ? SPACE : w.charCodeAt(k - 1));
  const sameGram = (i: number, w: string, start: number) => {
    const g = gramText[i]!;
    for (let k = 0; k < g.length; k++) if (g.charCodeAt(k) !== padded(w, start + k)) return false;
    return true;
  };

  return (text) => {
    const ws = wordsOf(text);
    n = 0;
    for (let wi = 0; wi < ws.length; wi++) {
      const w = ws[wi]!;
      const unigram = words.get(w);
      if (unigram !== undefined) count(unigram);
      if (wi + 1 < ws.length) {
        const bigram = words.get(`${w} ${ws[wi + 1]}`);
        if (bigram !== undefined) count(bigram);
      }
      const len = w.length + 2;
      for (let start = 0; start + CHAR_GRAMS.min <= len; start++) {
        let h = FNV_OFFSET;
        for (let k = 0; k < CHAR_GRAMS.max && start + k < len; k++) {
          h = Math.imul(h ^ padded(w, start + k), FNV_PRIME);
          if (k + 1 < CHAR_GRAMS.min) continue;
          const hit = charGrams.get(h & KEY_BITS);
          if (hit === undefined) continue;
          if (typeof hit === 'number') {
            if (gramText[hit]!.length === k + 1 && sameGram(hit, w, start)) count(hit);
          } else {
            for (const i of hit) if (gramText[i]!.length === k + 1 && sameGram(i, w, start)) count(i);
          }
        }
      }
    }

    // TF-IDF (sublinear tf), each block L2-normalised, then the linear scores and softmax, as in classifier.ts.
    let wordNorm = 0;
    let charNorm = 0;
    for (let t = 0; t < n; t++) {
      const i = touched[t]!;
      const v = (1 + Math.log(counts[i]!)) * c.idf[i]!;
      counts[i] = v;
      if (i >= c.wordStart) wordNorm += v * v;
      else charNorm += v * v;
    }
    const wscale = wordNorm > 0 ? c.wordBlock / Math.sqrt(wordNorm) : 0;
    const cscale = charNorm > 0 ? 1 / Math.sqrt(charNorm) : 0;
    const z = Float64Array.from(c.bias);
    for (let t = 0; t < n; t++) {
      const i = touched[t]!;
      const v = counts[i]! * (i >= c.wordStart ? wscale : cscale);
      counts[i] = 0;
      const base = i * C;
      for (let j = 0; j < C; j++) z[j]! += v * c.weights[base + j]!;
    }
    return softmaxInPlace(z);
  };
}
