import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreFile } from '../../scripts/score-batch.ts';

// npm run score -- FILE [--misses]: how a blind batch is scored at first sight (on the built-in knowledge and model).
const dir = mkdtempSync(path.join(tmpdir(), 'coexist-score-'));

function score(lines: string[], misses = false): string[] {
  const file = path.join(dir, `batch-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const out: string[] = [];
  scoreFile(file, misses, (l) => out.push(l));
  return out;
}

describe('npm run score', () => {
  const batch = [
    '{"q":"can we do video calls on the api?","topics":["calls"]}',
    '{"q":"green tick for a coexistence number","topics":["calls"]}',
    '',
    '{"q":"where do I download my payslip","topics":[null]}',
  ];

  it('prints top-1, right-or-offered, confidently wrong, on-topic and off-topic rejection in one line, per style, and the misses only when asked', () => {
    const [summary, ...styles] = score(batch);
    expect(summary).toMatch(/: 2\/3 top-1 \(66\.7%\); right or offered 2\/3 \(66\.7%\); confidently wrong 1\/3; on-topic 1\/2; off-topic rejected 1\/1$/);
    expect(styles).toEqual(['  untagged: 2/3 top-1, 2/3 right or offered']);
    const withMisses = score(batch, true);
    expect(withMisses).toHaveLength(3);
    expect(withMisses[2]).toMatch(/^ {2}miss: "green tick for a coexistence number": expected calls, got verification \(\d\.\d\d\)$/);
  });

  it('counts per style tag when the lines carry one', () => {
    const out = score(['{"q":"can we do video calls on the api?","topics":["calls"],"style":"plain","writer":"w1"}', '{"q":"where do I download my payslip","topics":[null],"style":"off-topic"}']);
    expect(out.slice(1)).toEqual(['  off-topic: 1/1 top-1, 1/1 right or offered', '  plain: 1/1 top-1, 1/1 right or offered']);
  });

  it('names the file and line of a line that is not JSON', () => {
    expect(() => score(['{"q":"calls","topics":["calls"]}', '', '{oops'])).toThrow(/batch-\w+\.jsonl:3: not valid JSON/);
  });
});
