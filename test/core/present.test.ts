import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, answer, parseCommand, presentAnswer, presentForm, presentHelp, presentHistory, presentTopic, route } from '../../src/index.ts';
import { REPO_ROOT, fixtureKnowledge, vagueQuestion } from '../helpers/fixtures.ts';

// The reply model (src/present): one router for every surface, complete replies, renderers that only draw.

const kb = fixtureKnowledge();

describe('the one command router', () => {
  it('knows every command word in COMMANDS, and help lists each of them', () => {
    const help = presentHelp(kb);
    for (const c of COMMANDS) {
      for (const word of c.words) expect(parseCommand(word).kind, word).toBe(c.kind);
      expect(help.commands.map((h) => h.usage)).toContain(c.argument ? `${c.words[0]} ${c.argument}` : c.words[0]);
    }
  });

  it('tells greetings from questions that start like one', () => {
    for (const hello of ['hi', 'Hi!', 'hello', 'helloooo', 'namaste 🙏', 'good morning', 'Good evening team', 'hey there']) expect(parseCommand(hello).kind, hello).toBe('greeting');
    for (const q of ['hi, can we make calls?', 'high volume', 'hello can the owner keep chatting', 'good for enterprises?', 'historical chats']) expect(parseCommand(q).kind, q).toBe('question');
  });

  it('history [customer] is a command: the surface looks the entries up and presents them newest first', () => {
    expect(parseCommand('history')).toEqual({ kind: 'history' });
    expect(parseCommand('History  Acme Corp ')).toEqual({ kind: 'history', customer: 'Acme Corp' });
    const request = route('history acme', kb);
    expect(request).toMatchObject({ kind: 'history', customer: 'acme' });
    expect(request.kind === 'history' && request.entries).toBeFalsy();
    const at = new Date(Date.UTC(2026, 10, 25, 14, 3, 59));
    const past = [
      { id: 'NEW00001', createdAt: at, platform: 'slack', userId: 'U1', customer: 'Acme', setup: 'api-only' as const, confidence: 'high' as const, messageLink: 'https://x.slack.com/archives/C1/p1' },
      { id: 'OLD00001', createdAt: new Date(at.getTime() - 86_400_000), platform: 'teams', userId: 'aad-1', customer: null, setup: 'coexistence' as const, confidence: 'low' as const, messageLink: null },
    ];
    const reply = presentHistory(past, 'acme');
    expect(reply.entries!.map((e) => e.id)).toEqual(['NEW00001', 'OLD00001']);
    expect(reply.entries![0]).toMatchObject({ when: '2026-11-25 14:03 UTC', link: 'https://x.slack.com/archives/C1/p1', by: { platform: 'slack', userId: 'U1' }, customer: 'Acme' });
    expect(reply.entries![0]!.confidence.text).toMatch(/high/i);
    expect(reply.entries![1]).not.toHaveProperty('link');
    expect(presentHistory(undefined).unavailable).toMatch(/cannot be read/);
    expect(presentHistory([]).entries).toEqual([]);
  });

  it('a topic button gets the topic as it stands: no match score, no "not sure" line', () => {
    const reply = presentTopic(kb, 'calls', 'can we make calls with the api?')!;
    expect(reply.topic).toBe('calls');
    expect(reply.unsure).toBeUndefined();
    expect(reply.confidence).toBeUndefined();
    expect(reply.sides.map((s) => s.setup)).toEqual(['api-only', 'coexistence']);
    expect(presentTopic(kb, 'no-such-topic')).toBeUndefined();
  });

  it('asks "Which do you mean?" instead of answering only below the matcher\'s confidence, with alternatives (test/core/clarify.test.ts has the rule)', () => {
    const unsure = route(vagueQuestion((q) => route(q, kb).kind === 'clarify'), kb);
    expect(unsure.kind === 'clarify' && unsure.topics.length).toBeGreaterThan(1);
    const sure = route('green tick', kb);
    expect(sure.kind).toBe('answer');
    expect(sure.kind === 'answer' && sure.unsure).toBeUndefined();
  });

  it('gives the same frozen reply to a repeated question', () => {
    const a = presentAnswer(answer('green tick', kb), 'green tick', kb);
    expect(presentAnswer(answer('green tick', kb), 'green tick', kb)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('the requirements form', () => {
  it('offers our countries first, then every other, each by name: the same list for the Slack modal and the Teams card', () => {
    const form = presentForm(kb);
    const sorted = (list: { name: string }[]) => [...list].sort((a, b) => a.name.localeCompare(b.name, 'en'));
    expect(form.offeredCountries.map((c) => c.code)).toEqual(expect.arrayContaining(kb.offerPolicy.coexistence.countries));
    expect(form.offeredCountries).toEqual(sorted(form.offeredCountries));
    expect(form.otherCountries).toEqual(sorted(form.otherCountries));
    expect(form.needGroups.flatMap((g) => g.needs.map((n) => n.id)).sort()).toEqual(kb.needs.map((n) => n.id).sort());
  });
});

describe('renderers only draw', () => {
  const renderers = [
    ...readdirSync(path.join(REPO_ROOT, 'adapters/slack/blocks')).map((f) => `adapters/slack/blocks/${f}`),
    ...readdirSync(path.join(REPO_ROOT, 'adapters/teams/cards')).map((f) => `adapters/teams/cards/${f}`),
    'adapters/plain-text.ts',
  ];
  // What decides: matching, recommending, the comparison, reading topics and needs with the offer policy.
  const decisions = ['answer', 'recommend', 'compare', 'findTopic', 'topicFacts', 'allTopicFacts', 'needSupport', 'LOW_CONFIDENCE', 'countryName'];

  it.each(renderers)('%s calls nothing in the advisor that decides', (file) => {
    const source = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const imported = [...source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'[./]*\/src\/index\.ts'/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim().replace(/^type\s+/, '')));
    expect(imported.filter((name) => decisions.includes(name))).toEqual([]);
  });
});
