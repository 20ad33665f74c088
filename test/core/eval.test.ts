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

  it('without the sets: says so and exits 0, except under CI=true', () => {
    const missing = path.join(tmpdir(), 'coexist-no-such-shared');
    const local = evaluate({ SHARED_DIR: missing });
    expect(local.out).toContain(`${path.join(missing, 'eval', 'questions.public.jsonl')} and`);
    expect(local.out).toMatch(/not found[\s\S]*skipped/);
    expect(local.code).toBe(0);
    const ci = evaluate({ SHARED_DIR: missing, CI: 'true' });
    expect(ci.out).toMatch(/FAIL: CI=true/);
    expect(ci.code).toBe(1);
  });

  it('an empty set fails instead of scoring 100%', () => {
    expect(evaluate({ SHARED_DIR: sharedDir({ scenarios: '\n' }) }).code).toBe(1);
  });
});
