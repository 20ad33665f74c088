import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEval } from '../../scripts/eval.ts';
import { FIXTURES_DIR, fixtureKnowledge } from '../helpers/fixtures.ts';

// npm run eval, in-process: on a shared folder built here from the fixture sets, never on ../shared itself.

function sharedDir(sets: { questions?: string; scenarios?: string } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-eval-'));
  mkdirSync(path.join(dir, 'eval'));
  for (const [key, name] of [['questions', 'questions.public.jsonl'], ['scenarios', 'scenarios.public.jsonl']] as const) {
    const target = path.join(dir, 'eval', name);
    const text = sets[key];
    if (text === undefined) copyFileSync(path.join(FIXTURES_DIR, name), target);
    else writeFileSync(target, text);
  }
  return dir;
}

function evaluate(env: NodeJS.ProcessEnv): { code: number; out: string } {
  const lines: string[] = [];
  const code = runEval({ env, out: (l) => lines.push(l), knowledge: fixtureKnowledge(), knowledgeName: 'fixture' });
  return { code, out: lines.join('\n') };
}

describe('npm run eval', () => {
  it('scores both sets and passes at the bar', () => {
    const r = evaluate({ SHARED_DIR: sharedDir() });
    expect(r.out).toMatch(/questions\.public\.jsonl: 48\/48 top-1 \(100\.0%, bar 95\.0%\); off-topic rejected 4\/4/);
    expect(r.out).toMatch(/scenarios\.public\.jsonl: 12\/12/);
    expect(r.out).toMatch(/eval: PASS$/);
    expect(r.code).toBe(0);
  });

  it('prints every miss and exits 1 under any bar: top-1, off-topic, scenarios', () => {
    const good = '{"q":"video call","topics":["calls"]}\n'.repeat(30);
    const oneMiss = `${good}{"q":"whatsapp web","topics":["calls"]}\n`; // 30/31 = 96.8%: still above 95%
    expect(evaluate({ SHARED_DIR: sharedDir({ questions: oneMiss }) }).code).toBe(0);

    const top1 = evaluate({ SHARED_DIR: sharedDir({ questions: `${oneMiss}{"q":"group chat","topics":["calls"]}\n` }) });
    expect(top1.out).toContain('miss: "whatsapp web": expected calls, got linked-devices');
    expect(top1.out).toContain('miss: "group chat": expected calls, got group-chats');
    expect(top1.out).toMatch(/FAIL: questions top-1 93\.8% < 95\.0%/);
    expect(top1.code).toBe(1);

    const offTopic = evaluate({ SHARED_DIR: sharedDir({ questions: `${good}{"q":"video call","topics":[null]}\n` }) });
    expect(offTopic.out).toMatch(/off-topic rejected 0\/1/);
    expect(offTopic.out).toMatch(/FAIL: off-topic rejected 0\.0% < 100\.0%/);
    expect(offTopic.code).toBe(1);

    const scenario = evaluate({ SHARED_DIR: sharedDir({ scenarios: '{"name":"over the cap","req":{"country":"IN","peakMps":45,"needs":[]},"expect":"coexistence"}\n' }) });
    expect(scenario.out).toContain('miss: over the cap: expected coexistence, got api-only');
    expect(scenario.out).toMatch(/FAIL: scenarios 0\.0% < 100\.0%/);
    expect(scenario.code).toBe(1);
  });

  it('without ../shared (a fresh clone): scores the frozen copies in test/fixtures/, says so, and passes, CI or not', () => {
    const missing = path.join(tmpdir(), 'coexist-no-such-shared');
    for (const env of [{}, { CI: 'true' }]) {
      const lines: string[] = [];
      const code = runEval({ env, out: (l) => lines.push(l), knowledge: fixtureKnowledge(), knowledgeName: 'fixture', defaultShared: missing });
      const out = lines.join('\n');
      expect(out).toContain(`eval: questions: test/fixtures/questions.public.jsonl (the frozen copy; ${path.join(missing, 'eval', 'questions.public.jsonl')} not found)`);
      expect(out).toContain('eval: scenarios: test/fixtures/scenarios.public.jsonl (the frozen copy;');
      expect(out).toMatch(/questions\.public\.jsonl: 48\/48 top-1/);
      expect(out).toMatch(/eval: PASS$/);
      expect(code).toBe(0);
    }
  });

  it('a SHARED_DIR that is set but has no sets is an error, naming it', () => {
    const missing = path.join(tmpdir(), 'coexist-no-such-shared');
    const r = evaluate({ SHARED_DIR: missing });
    expect(r.out).toContain(`eval: FAIL: SHARED_DIR=${missing} has no eval/questions.public.jsonl and eval/scenarios.public.jsonl`);
    expect(r.code).toBe(1);
  });

  it('with ../shared present: says which files it scored', () => {
    const dir = sharedDir();
    const r = evaluate({ SHARED_DIR: dir });
    expect(r.out).toContain(`eval: questions: ${path.join(dir, 'eval', 'questions.public.jsonl')}`);
    expect(r.out).toContain(`eval: scenarios: ${path.join(dir, 'eval', 'scenarios.public.jsonl')}`);
  });

  it('an empty set fails instead of scoring 100%', () => {
    expect(evaluate({ SHARED_DIR: sharedDir({ scenarios: '\n' }) }).code).toBe(1);
  });
});
