import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERT_HINT, LOW_CONFIDENCE, answer, presentTopic, route } from '../../src/index.ts';
import { fixtureKnowledge, nearDomainQuestion, vagueQuestion, twoTopicsQuestion } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

// `coexist-advisor ask`: "Which do you mean?", two questions in one, and the decline with EXPERT_HINT, as text and
// as JSON (fields added to the SPEC's {topic, confidence, answer, alternatives}, never changed).

const kb = fixtureKnowledge();
const titleOf = (topic: string) => presentTopic(kb, topic)!.title;
const UNSURE = vagueQuestion((q) => route(q, kb).kind === 'clarify');
const TWO = twoTopicsQuestion(kb, LOW_CONFIDENCE);
const OFF = 'how do i reset my laptop password';
const NEAR = 'can you translate customer voice notes into english for us';

describe('coexist-advisor ask: clarify, two topics, the decline', () => {
  it('an unsure question: "Which do you mean?" first, the topics to ask for next, and no answer', async () => {
    const r = answer(UNSURE, kb);
    expect(r.topic !== null && r.confidence < LOW_CONFIDENCE && r.alternatives.length > 0).toBe(true);
    const out = await runCli(['ask', UNSURE]);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Which do you mean?');
    const offered = [r.topic!, ...r.alternatives].slice(0, 3);
    for (const t of offered) expect(out.stdout).toContain(`coexist-advisor ask ${t}`);
    expect(out.stdout.indexOf(titleOf(offered[0]!))).toBeLessThan(out.stdout.indexOf(titleOf(offered[1]!)));
    expect(out.stdout).not.toMatch(/Co-Existence\s+(✅|❌|⚠️)/);
    expect(out.stdout).not.toMatch(/Sources:/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('--json keeps the contract and adds clarify: the question and the topics offered', async () => {
    const r = answer(UNSURE, kb);
    const out = JSON.parse((await runCli(['ask', UNSURE, '--json'])).stdout);
    expect(out).toMatchObject({ topic: r.topic, confidence: r.confidence, alternatives: r.alternatives });
    expect(out.answer.id).toBe(r.topic);
    expect(out.clarify).toEqual({ message: 'Which do you mean?', topics: [r.topic, ...r.alternatives].slice(0, 3) });
    // A sure answer has no clarify field.
    expect(JSON.parse((await runCli(['ask', 'green tick', '--json'])).stdout)).not.toHaveProperty('clarify');
    // One JSON line per question from standard input, the same fields.
    const lines = (await runCli(['ask'], { stdin: `${UNSURE}\n${OFF}\n` })).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].clarify.topics[0]).toBe(r.topic);
    expect(lines[1].hint).toBe(`Not something I cover? ${DEFAULT_EXPERT_HINT}`);
  });

  it('two questions in one: the main answer, then "You also asked about …" and the second answer', async () => {
    const r = answer(TWO, kb);
    if (r.topic === null || !r.also) throw new Error(`premise: "${TWO}" asks two things`);
    const out = (await runCli(['ask', TWO])).stdout;
    const main = out.indexOf(titleOf(r.topic));
    const also = out.indexOf(`You also asked about ${titleOf(r.also.topic)}`);
    expect(main).toBe(0);
    expect(also).toBeGreaterThan(main);
    expect(out.slice(also)).toMatch(/^(Co-Existence|API only)\b/m); // a setup's side heading (a named setup comes first)
    expect(out.slice(also)).toMatch(/Sources:/);
    const json = JSON.parse((await runCli(['ask', TWO, '--json'])).stdout);
    expect(json.also.topic).toBe(r.also.topic);
  });

  it('off-topic and near-domain questions are declined with the way to ask a person: EXPERT_HINT, or a neutral default', async () => {
    for (const q of [OFF, NEAR]) {
      expect(answer(q, kb).topic).toBeNull();
      const hinted = await runCli(['ask', q], { env: { EXPERT_HINT: 'Ask in #whatsapp-experts' } });
      expect(hinted.stdout).toContain('Not something I cover? Ask in #whatsapp-experts');
      const plain = await runCli(['ask', q]);
      expect(plain.stdout.replace(/\s+/g, ' ')).toContain(`Not something I cover? ${DEFAULT_EXPERT_HINT}`); // wrapped at 80 columns
      const json = JSON.parse((await runCli(['ask', q, '--json'], { env: { EXPERT_HINT: 'Ask in #whatsapp-experts' } })).stdout);
      expect(json).toMatchObject({ topic: null, hint: 'Not something I cover? Ask in #whatsapp-experts' });
    }
  });
  it('a declined question that came close to topics lists them after the decline, within 80 columns; --json keeps topic null and gives them as alternatives', async () => {
    const question = nearDomainQuestion((q) => { const r = answer(q, kb); return r.topic === null && r.alternatives.length > 0; });
    const r = answer(question, kb);
    const out = (await runCli(['ask', question])).stdout;
    expect(out.split('\n')[0]).toMatch(/could not match this to a topic I cover/);
    for (const t of r.alternatives) expect(out).toContain(`coexist-advisor ask ${t}`);
    expect(out).toMatch(/Not something I cover\?/);
    for (const line of out.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const json = JSON.parse((await runCli(['ask', question, '--json'])).stdout);
    expect(json).toMatchObject({ topic: null, alternatives: r.alternatives });
  });
});
