import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { NEED_IDS, answer, builtInKnowledge, recommend, validateRequirements, type Requirements } from '../src/index.ts';
import { MODEL_FILE, fromModelFile, type ModelFile } from '../src/matching/classifier.ts';

// Per-call timing of the core: answer() and recommend(), median and p99 over many calls after a warm-up.

export interface CallStats {
  name: string;
  calls: number;
  medianUs: number;
  p99Us: number;
}

function measure(name: string, inputs: unknown[], fn: (input: any) => unknown, calls = 20_000): CallStats {
  for (let i = 0; i < 2_000; i++) fn(inputs[i % inputs.length]);
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    fn(inputs[i % inputs.length]);
    times[i] = performance.now() - start;
  }
  times.sort();
  const at = (q: number) => Math.round(times[Math.min(calls - 1, Math.floor(q * calls))]! * 1000 * 10) / 10;
  return { name, calls, medianUs: at(0.5), p99Us: at(0.99) };
}

export function benchCore(): CallStats[] {
  const kb = builtInKnowledge();
  const questions = [
    'Can we make voice and video calls with Co-Existence?',
    'mps',
    'kya group chat chalega api pe',
    'What is the capital of Peru?',
    'We run a clinic with three people and want to keep answering on the phone but also send reminders automatically, is history kept?',
    'shopkeeper went on a 3 week pilgrimage and left his phone switched off, now nothing arrives in the dashboard',
    'how do I reset my VPN password',
  ];
  const reqs: Requirements[] = [
    { country: 'IN', agents: 2, needs: ['phone-app', 'calls', 'automation'] },
    { country: 'IN', agents: 30, dailyMessages: 60000, peakMps: 70, needs: ['automation', 'crm-integration', 'bulk-campaigns'] },
    { country: 'DE', needs: [...NEED_IDS] },
  ].map((r) => {
    const v = validateRequirements(r);
    if (!v.ok) throw new Error('bad bench input');
    return v.requirements;
  });
  // Cold: every question new to the cache (a counter makes each one unique). Warm: questions asked before.
  let n = 0;
  return [
    measure('answer() cold', questions, (q: string) => answer(`${q} ${++n}`, kb)),
    measure('answer() warm', questions, (q: string) => answer(q, kb)),
    measure('recommend()', reqs, (r: Requirements) => recommend(r, kb)),
  ];
}

/** The issue-10 goals: answer() under 1 ms at p99, the model under 10 MB of memory. */
export const CORE_GOALS = { answerP99Us: 1000, modelBytes: 10 * 1024 * 1024 } as const;

export interface ModelMemory {
  fileBytes: number;
  features: number;
  classes: number;
  /** Heap and array-buffer memory a loaded copy of the model keeps, after a full GC. */
  retainedBytes: number;
}

/** Memory of the classifier's model: a second copy is loaded and kept while the heap is measured around it. */
export function modelMemory(): ModelMemory {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const file = JSON.parse(readFileSync(MODEL_FILE, 'utf8')) as ModelFile;
  const copy = fromModelFile(file); // file and copy are both alive here, as in the process that answers
  const retainedBytes = used() - before;
  return { fileBytes: statSync(MODEL_FILE).size, features: copy.index.size, classes: file.classes.length, retainedBytes };
}

// `node --import tsx bench/core.ts`: only this part (a few seconds).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) printCore(benchCore());

export function printCore(stats: CallStats[], memory: ModelMemory = modelMemory()): void {
  console.log('\nCore, per call (µs)');
  console.log('call             calls   median      p99');
  for (const s of stats) console.log(`${s.name.padEnd(15)}${String(s.calls).padStart(7)}${s.medianUs.toFixed(1).padStart(9)}${s.p99Us.toFixed(1).padStart(9)}`);
  const cold = stats.find((s) => s.name === 'answer() cold');
  if (cold) console.log(`answer() p99 goal < ${CORE_GOALS.answerP99Us} µs: ${cold.p99Us < CORE_GOALS.answerP99Us ? 'met' : 'NOT met'} (${cold.p99Us.toFixed(1)} µs)`);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `classifier model: ${memory.features} features × ${memory.classes} classes, file ${mb(memory.fileBytes)}, retained in memory ${mb(memory.retainedBytes)} ` +
      `(goal ≤ ${mb(CORE_GOALS.modelBytes)}: ${memory.retainedBytes <= CORE_GOALS.modelBytes ? 'met' : 'NOT met'})`,
  );
}
