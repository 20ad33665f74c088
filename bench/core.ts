import { performance } from 'node:perf_hooks';
import { NEED_IDS, answer, builtInKnowledge, recommend, validateRequirements, type Requirements } from '../src/index.ts';

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

export function printCore(stats: CallStats[]): void {
  console.log('\nCore, per call (µs)');
  console.log('call             calls   median      p99');
  for (const s of stats) console.log(`${s.name.padEnd(15)}${String(s.calls).padStart(7)}${s.medianUs.toFixed(1).padStart(9)}${s.p99Us.toFixed(1).padStart(9)}`);
}
