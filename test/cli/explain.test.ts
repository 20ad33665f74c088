import { describe, expect, it } from 'vitest';
import { answer, builtInKnowledge } from '../../src/index.ts';
import { CLASSIFIER } from '../../src/matching/thresholds.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

// A knowledge owner asks why a question missed: `coexist-advisor explain "<question>"`, on the fixture knowledge.

const explainJson = async (q: string) => {
  const r = await runCli(['explain', q, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('coexist-advisor explain', () => {
  it('shows the normalised terms, the words it knew, the scores per topic and why the gate said yes', async () => {
    const r = await runCli(['explain', 'mps kitna hai on coex?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Terms .*: throughput, coexist$/m); // synonyms applied: mps → throughput, coex → coexistence
    expect(r.stdout).toMatch(/^Known to the knowledge: +mps, coex$/m);
    expect(r.stdout).toMatch(/^Stop words: +kitna, hai, on$/m);
    expect(r.stdout).toMatch(/^Candidate topic +BM25 +relative +classifier +fused$/m);
    expect(r.stdout).toMatch(/^throughput +\d+\.\d\d +1\.000 +0\.\d{3} +0\.\d{3}$/m);
    expect(r.stdout).toMatch(/^Gate: yes, about a topic$/m);
    expect(r.stdout).toMatch(/^ {2}- BM25 gate yes: /m);
    expect(r.stdout).toMatch(/^ {2}- accepted: /m);
    expect(r.stdout).toMatch(/^Result: throughput \(confidence 0\.\d{3}\)/m);
  });

  it('names the words nobody knows, so the owner can add a synonym or a training line', async () => {
    const e = await explainJson('can the shop do vidoe calls with zorblax');
    expect(e.words.unknown).toContain('zorblax');
    expect(e.words.known).toContain('calls');
    expect(e.words.ignored).toEqual(expect.arrayContaining(['can', 'the']));
  });

  it('says why the gate said no, with the thresholds it used', async () => {
    const r = await runCli(['explain', 'What is the capital of Peru?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Gate: no, not about a topic$/m);
    expect(r.stdout).toMatch(/BM25 gate no: 0 known topic words/);
    expect(r.stdout).toContain(`< ${CLASSIFIER.accept}`);
    expect(r.stdout).toMatch(/^Result: no topic/m);
    const e = await explainJson('What is the capital of Peru?');
    expect(e.gate.accepted).toBe(false);
    expect(e.offTopicProbability).toBeGreaterThan(0.5);
  });

  it('agrees with ask: the same topic, confidence and alternatives, and every candidate has both scores', async () => {
    const kb = fixtureKnowledge();
    for (const q of ['can we do video calls on api?', 'purani chats milengi kya', 'calls and groups and status on the api', 'order pizza', 'the owner is away for three weeks and the phone is off']) {
      const e = await explainJson(q);
      const a = answer(q, kb);
      expect(e.result, q).toEqual({ topic: a.topic, confidence: a.confidence, alternatives: a.alternatives });
      expect(e.gate.accepted, q).toBe(a.topic !== null);
      const bm25Passed = e.gate.reasons.some((x: string) => x.startsWith('BM25 gate yes'));
      for (const c of e.candidates) {
        expect(typeof c.bm25).toBe('number');
        expect(typeof c.classifier).toBe('number');
        // Past its gate BM25 counts fully in the fusion; short of it, less.
        const full = CLASSIFIER.fusionWeight * c.classifier + (1 - CLASSIFIER.fusionWeight) * c.bm25Relative;
        if (bm25Passed) expect(c.fused).toBeCloseTo(full, 2);
        else expect(c.fused).toBeLessThanOrEqual(full + 0.001);
      }
    }
  });

  it('explains the polite refusal of Devanagari, and keeps control characters out of the terminal', async () => {
    const r = await runCli(['explain', 'क्या कॉल \u001b[31mहो सकती है']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Devanagari/);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toMatch(/^Result: no topic \(I cannot read Hindi in Devanagari/m);
    const e = await explainJson('ग्रुप चैट चलेगा क्या');
    expect(e.gate.reasons).toEqual([expect.stringMatching(/^\d+ of \d+ letters are Devanagari/)]);
    expect(e.offTopicProbability).toBeNull(); // the classifier did not read it
  });

  it('shows what drove each reader: the knowledge line BM25 matched best (a situation) and the closest training lines', async () => {
    const kb = builtInKnowledge();
    const q = 'customer phone was stolen, reinstalled whatsapp on new phone, dashboard not receiving msgs';
    const r = await runCli(['explain', q], { env: { KNOWLEDGE_FILE: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Why disconnection:$/m);
    const situations = kb.topics.find((t) => t.id === 'disconnection')!.situations ?? [];
    const shown = r.stdout.match(/^Why disconnection:\n {2}BM25 matched situation: "([^"]+)" \(terms: [^)]+\)$/m);
    expect(shown, r.stdout).not.toBeNull();
    expect(situations).toContain(shown![1]);
    expect(r.stdout).toMatch(/^Why disconnection:\n.*\n {2}classifier's closest training lines:\n( {4}0\.\d{2} ".+" \([\w./-]+\)\n){3}/m);

    const e = JSON.parse((await runCli(['explain', q, '--json'], { env: { KNOWLEDGE_FILE: '' } })).stdout);
    const top = e.candidates[0];
    expect(top.topic).toBe('disconnection');
    expect(top.bm25Match.field).toBe('situation');
    expect(situations).toContain(top.bm25Match.text);
    expect(top.bm25Match.terms.length).toBeGreaterThan(0);
    expect(top.nearest).toHaveLength(3);
    const sims = top.nearest.map((n: { similarity: number }) => n.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expect(sims[0]).toBeGreaterThan(0);
    for (const n of top.nearest) expect(n.file).toMatch(/^(training\/[\w.-]+\.jsonl|topics\/disconnection\.yml|matching\.yml|needs\.yml)$/);
    // Every candidate says what drove it, or that BM25 did not find it.
    for (const c of e.candidates) {
      expect(c.nearest.length, c.topic).toBeGreaterThan(0);
      if (c.bm25 > 0) expect(c.bm25Match, c.topic).not.toBeNull();
      else expect(c.bm25Match, c.topic).toBeNull();
    }
  });

  it('asks for a question when given none (exit 2), never a stack trace', async () => {
    const r = await runCli(['explain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Give a question to explain/);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
