import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../adapters/cli/main.ts';
import { staleSchemas, SCHEMA_DIR } from '../../scripts/knowledge-schema.ts';
import { BUILT_IN_KNOWLEDGE_FILE, TOPIC_IDS, answer, explain, loadKnowledgeFile, recommend, topicFacts } from '../../src/index.ts';
import { CORRECTED_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';

// The knowledge folder as a support lead edits it: knowledge.yml names one file per part and a folder with one file
// per topic. Each test edits a copy of the frozen corrected fixture (test/fixtures/knowledge-corrected/) the way a
// person would, with a text editor, then runs check-knowledge as they would.

const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the knowledge folder, and a way to edit one of its files as text. */
function knowledgeCopy() {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-kb-'));
  copies.push(dir);
  cpSync(path.dirname(CORRECTED_KNOWLEDGE_FILE), dir, { recursive: true });
  const file = (rel: string) => path.join(dir, rel);
  return {
    dir,
    index: file('knowledge.yml'),
    read: (rel: string) => readFileSync(file(rel), 'utf8'),
    edit(rel: string, from: string | RegExp, to: string) {
      const before = readFileSync(file(rel), 'utf8');
      const after = before.replace(from, to);
      expect(after, `${rel}: the edit must change something`).not.toBe(before);
      writeFileSync(file(rel), after);
    },
    write: (rel: string, text: string) => writeFileSync(file(rel), text),
    /** The 1-based line of the first line containing `text` in a file. */
    lineOf: (rel: string, text: string) => readFileSync(file(rel), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1,
  };
}

async function checkKnowledge(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(['check-knowledge', file], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: '', env: {} });
  return { code, stdout, stderr };
}

describe('check-knowledge on the knowledge folder', () => {
  it('passes an unchanged copy', async () => {
    const kb = knowledgeCopy();
    const r = await checkKnowledge(kb.index);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/✔ .*knowledge\.yml is valid: 28 topics, 19 needs, 39 sources\./);
  });

  it('catches a need that contradicts its topic: file, line, need and what to do', async () => {
    const kb = knowledgeCopy();
    // A support lead "fixes" the need to yes; the topic still says partial (old lists are read-only).
    kb.edit('needs.yml', /(narrower:\n\s+coexistence: )no/, '$1yes');
    const r = await checkKnowledge(kb.index);
    expect(r.code).toBe(2);
    const line = kb.lineOf('needs.yml', 'coexistence: yes');
    expect(r.stderr).toContain(
      `needs.yml:${line} (need new-broadcast-lists): [9].narrower.coexistence: need "new-broadcast-lists" says coexistence "yes", but its topic "broadcast-lists" says "partial": a need cannot be met better than its topic. Fix the topic or the need`,
    );
    expect(r.stderr).toMatch(/has 1 problem:/);
  });

  it('catches a topic changed under a need marked narrower, which is no longer narrower', async () => {
    const kb = knowledgeCopy();
    kb.edit('topics/broadcast-lists.yml', /coexistence:\n  status: partial/, 'coexistence:\n  status: no');
    const r = await checkKnowledge(kb.index);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs\.yml:\d+ \(need new-broadcast-lists\): \[9\]\.narrower\.coexistence: .*the same as its topic "broadcast-lists": it is not narrower/);
  });

  it('catches a figure that disagrees with the policy, and a figure retyped by hand: file, line, topic', async () => {
    const kb = knowledgeCopy();
    kb.edit('topics/automation.yml', 'within the {{coexistence.mps}} MPS cap', 'within the 25 MPS cap');
    kb.edit('caveats.yml', 'fixed at {{coexistence.mps}} messages per second', 'fixed at 20 messages per second');
    const r = await checkKnowledge(kb.index);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `topics/automation.yml:${kb.lineOf('topics/automation.yml', '25 MPS')} (topic automation): coexistence.answer: "25 MPS" disagrees with the offer policy (coexistence.mps 20, apiOnly.defaultMps 80, apiOnly.maxMps 1,000)`,
    );
    expect(r.stderr).toContain(
      `caveats.yml:${kb.lineOf('caveats.yml', 'fixed at 20 messages')} (topic throughput): coexistence[5].text: "20 messages per second" retypes a figure of the offer policy: write {{coexistence.mps}} so it follows the policy`,
    );
  });

  it('refuses 1,000 MPS stated without its conditions', async () => {
    const kb = knowledgeCopy();
    kb.edit('topics/automation.yml', /only when all of these hold: \{\{apiOnly\.maxMpsConditions\}\}/, 'automatically');
    const r = await checkKnowledge(kb.index);
    expect(r.stderr).toMatch(/topics\/automation\.yml:\d+ \(topic automation\): apiOnly\.details: \{\{apiOnly\.maxMps\}\} is only reached under conditions/);
  });

  it('widening the offer is one line in policy.yml: the availability answer names the new country; a code that is no country is refused', async () => {
    const kb = knowledgeCopy();
    kb.edit('policy.yml', /countries: \[IN\]/, 'countries: [IN, DE]');
    const loaded = loadKnowledgeFile(kb.index);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(topicFacts(loaded.knowledge, loaded.knowledge.topics.find((t) => t.id === 'availability')!).coexistence.answer).toMatch(/numbers in India and Germany only/);
    expect(recommend({ country: 'DE', needs: ['phone-app'] }, loaded.knowledge).setup).toBe('coexistence');
    kb.edit('policy.yml', 'countries: [IN, DE]', 'countries: [IN, DX]');
    const r = await checkKnowledge(kb.index);
    expect(r.stderr).toContain(`policy.yml:${kb.lineOf('policy.yml', 'countries:')}: coexistence.countries[1]: "DX" is not an ISO 3166-1 country code`);
  });

  it('changing a figure in policy.yml is the whole edit: answers and recommendations follow', () => {
    const kb = knowledgeCopy();
    kb.edit('policy.yml', /mps: 20\n/, 'mps: 25\n');
    const loaded = loadKnowledgeFile(kb.index);
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    if (!loaded.ok) return;
    const k = loaded.knowledge;
    expect(topicFacts(k, k.topics.find((t) => t.id === 'throughput')!).coexistence.answer).toMatch(/^Fixed at 25 messages per second/);
    expect(recommend({ country: 'IN', peakMps: 24, needs: [] }, k).setup).toBe('coexistence');
    expect(recommend({ country: 'IN', peakMps: 26, needs: [] }, k).reasons[0]!.text).toMatch(/above Co-Existence's fixed 25/);
  });

  it('adding a topic is a data change: one new file, found by check-knowledge, answer() and the comparison', async () => {
    const kb = knowledgeCopy();
    kb.write(
      'topics/marketing-caps.yml',
      `# yaml-language-server: $schema=../json-schema/topic.schema.json
id: marketing-caps
title: Marketing message caps per customer
question: Does WhatsApp cap how many marketing messages one customer receives?
coexistence:
  status: partial
  answer: Yes, on the API side; marketing messages may be held back for a customer who gets many.
  details: Meta limits the marketing messages one customer receives.
apiOnly:
  status: partial
  answer: Yes; marketing messages may be held back for a customer who gets many.
  details: Meta limits the marketing messages one customer receives.
sources: [M1]
lastVerified: 2026-11-25
`,
    );
    const r = await checkKnowledge(kb.index);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/is valid: 29 topics/);
    const loaded = loadKnowledgeFile(kb.index);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(answer('marketing message caps per customer', loaded.knowledge).topic).toBe('marketing-caps');
    // The SPEC's topics keep their order; topics added beside them follow, in file-name order.
    const ids = loaded.knowledge.topics.map((t) => t.id);
    expect(ids.slice(0, TOPIC_IDS.length)).toEqual([...TOPIC_IDS]);
    const added = ids.slice(TOPIC_IDS.length);
    expect(added).toContain('marketing-caps');
    expect(added).toEqual([...added].sort());
  });

  it('situations are a data change: a support lead adds one and BM25 brings its topic forward at once, and explain names it', async () => {
    const kb = knowledgeCopy();
    // BM25 ranks by a situation at once (the classifier learns it at the next \`npm run train\`): the topic comes
    // forward, as the answer or among the topics shown. Its words alone are no evidence that a question is about our
    // domain (the gate needs words of the titles and phrasings), so the question also says "whatsapp chats".
    const question = 'owner keeps whatsapp chats on microfilm';
    const shown = (r: ReturnType<typeof answer>) => [r.topic, ...r.alternatives];
    const before = loadKnowledgeFile(kb.index);
    if (!before.ok) throw new Error(before.problems.join('\n'));
    expect(shown(answer(question, before.knowledge))).not.toContain('backups');
    kb.edit('topics/backups.yml', /^sources:/m, 'situations:\n  - the owner keeps the chats on microfilm\nsources:');
    const r = await checkKnowledge(kb.index);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/is valid: 28 topics/);
    const loaded = loadKnowledgeFile(kb.index);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.knowledge.topics.find((t) => t.id === 'backups')!.situations).toEqual(['the owner keeps the chats on microfilm']);
    expect(shown(answer(question, loaded.knowledge))).toContain('backups');
    const why = explain(question, loaded.knowledge).candidates.find((c) => c.topic === 'backups')!;
    expect(why.bm25Match).toMatchObject({ field: 'situation', text: 'the owner keeps the chats on microfilm' });
    expect(why.bm25Match!.terms).toEqual(expect.arrayContaining(['microfilm', 'chat']));
  });

  it('a bad situation is named with its file, line and topic; one shared with another topic is a warning', async () => {
    const kb = knowledgeCopy();
    kb.edit(
      'topics/calls.yml',
      /^sources:/m,
      `situations:\n  - the owner wants to keep calling from his mobile\n  - ""\n  - ${'a very long story '.repeat(8)}\n  - The owner wants to keep calling  from his mobile\nsources:`,
    );
    const r = await checkKnowledge(kb.index);
    expect(r.code).toBe(2);
    const at = (text: string) => kb.lineOf('topics/calls.yml', text);
    expect(r.stderr).toContain(`topics/calls.yml:${at('- ""')} (topic calls): situations[1]: must not be empty`);
    expect(r.stderr).toContain(`topics/calls.yml:${at('a very long story')} (topic calls): situations[2]: keep a situation under 120 characters: one thing staff see happen`);
    expect(r.stderr).toContain(
      `topics/calls.yml:${at('The owner wants')} (topic calls): situations[3]: "The owner wants to keep calling  from his mobile" repeats situations[0]: remove one`,
    );
    expect(r.stderr).toMatch(/has 3 problems:/);

    const shared = knowledgeCopy();
    shared.edit('topics/calls.yml', /^sources:/m, 'situations:\n  - the phone was replaced last week\nsources:');
    shared.edit('topics/disconnection.yml', /^sources:/m, 'situations:\n  - the phone was replaced last week\nsources:');
    const w = await checkKnowledge(shared.index);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain(
      `⚠️  topics/disconnection.yml:${shared.lineOf('topics/disconnection.yml', '- the phone was replaced')} (topic disconnection): situations[0]: "the phone was replaced last week" is also a situation of topic calls: a line that fits two topics teaches neither; keep it in one`,
    );
  });

  it('every built-in topic lists 6-12 situations in a support lead\'s words', () => {
    const loaded = loadKnowledgeFile(BUILT_IN_KNOWLEDGE_FILE);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    for (const t of loaded.knowledge.topics) {
      expect(t.situations?.length ?? 0, t.id).toBeGreaterThanOrEqual(6);
      expect(t.situations?.length ?? 0, t.id).toBeLessThanOrEqual(12);
    }
  });

  it('a topic file must be named after its id, and every SPEC topic must stay', async () => {
    const kb = knowledgeCopy();
    kb.edit('topics/backups.yml', /^id: backups$/m, 'id: chat-backups');
    const r = await checkKnowledge(kb.index);
    expect(r.stderr).toContain('topics/backups.yml:1 (topic chat-backups): id: "chat-backups" must be the file\'s name: rename the file to chat-backups.yml, or fix the id');
    expect(r.stderr).toMatch(/knowledge\.yml:\d+: topics: topic "backups" is missing \(every knowledge file must have it: the ids in src\/knowledge\/ids.ts are fixed/);
  });

  it('names a part file that is missing, and refuses a part outside the knowledge folder', async () => {
    const kb = knowledgeCopy();
    rmSync(path.join(kb.dir, 'sources.yml'));
    kb.edit('knowledge.yml', 'decision: decision.yml', 'decision: ../decision.yml');
    const r = await checkKnowledge(kb.index);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sources.yml: no such file (named by knowledge.yml, sources)');
    expect(r.stderr).toContain('decision: "../decision.yml" must name a .yml file beside knowledge.yml');
  });

  it('says how to write a text that starts with a placeholder, instead of a bare YAML error', async () => {
    const kb = knowledgeCopy();
    kb.edit('topics/throughput.yml', /answer: Fixed at \{\{coexistence\.mps\}\}/, 'answer: {{coexistence.mps}}');
    const r = await checkKnowledge(kb.index);
    expect(r.stderr).toMatch(/topics\/throughput\.yml:\d+:\d+: .*a text that starts with a \{\{placeholder\}\} must be written in "quotes"/);
  });
});

describe('the JSON Schemas editors check the files with', () => {
  it('are generated from the zod schema and committed as generated (npm run knowledge:schema)', () => {
    expect(staleSchemas()).toEqual([]);
  });

  it('are named on the first line of every knowledge file, and exist', () => {
    const dir = path.dirname(BUILT_IN_KNOWLEDGE_FILE);
    const files = [
      ...readdirSync(dir).filter((f) => f.endsWith('.yml')),
      ...readdirSync(path.join(dir, 'topics')).map((f) => `topics/${f}`),
    ];
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const first = readFileSync(path.join(dir, f), 'utf8').split('\n')[0]!;
      const schema = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)?.[1];
      expect(schema, f).toBeDefined();
      expect(() => readFileSync(path.resolve(path.dirname(path.join(dir, f)), schema!)), f).not.toThrow();
      expect(path.resolve(path.dirname(path.join(dir, f)), schema!).startsWith(SCHEMA_DIR)).toBe(true);
    }
  });
});
