import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { run } from '../../adapters/cli/main.ts';
import {
  BUILT_IN_KNOWLEDGE_FILE,
  ADDED_NEED_IDS,
  ALL_NEED_IDS,
  NEED_IDS,
  TOPIC_IDS,
  builtInKnowledge,
  loadKnowledgeFile,
  parseKnowledge,
  staleTopics,
  topicFacts,
  validateRequirements,
  type Knowledge,
  type Requirements,
} from '../../src/index.ts';
import {
  FIXTURE_KNOWLEDGE_FILE,
  fixtureKnowledge,
  fixtureText,
  helpArticleMap,
  helpArticleMapProblems,
  knowledgeInvariantProblems,
} from '../helpers/fixtures.ts';

// Behaviour and exact values are checked on the frozen fixture (test/fixtures/knowledge.yml, the one-file form). The
// live knowledge (src/knowledge/knowledge.yml and the files it names), which the knowledge owner edits, only gets
// the invariants in the first blocks. The folder layout's own checks are in knowledge-layout.test.ts.

const kb = fixtureKnowledge();
const fixtureYaml = fixtureText('knowledge.yml');
const map = helpArticleMap();

/** The fixture file with one change applied to its parsed data, as a support lead might make it. */
function edited(change: (data: any) => void): string {
  const doc = parseDocument(fixtureYaml);
  const data = doc.toJS();
  change(data);
  return JSON.stringify(data); // JSON is YAML
}

// The help article (frozen copy) and how to read its parts.
const article = fixtureText('help-article.md');
const sections = article.split(/\n### /);
const sectionText = (heading: RegExp) => sections.find((s) => heading.test(s.split('\n')[0]!)) ?? '';
const tableRows = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .slice(1) // header
    .map((l) => l.split('|').slice(1, -1).map((c) => c.replace(/\*\*/g, '').trim()));
const numbered = (text: string) => text.split('\n').filter((l) => /^\d+\.\s/.test(l)).map((l) => l.replace(/\*\*/g, ''));
const icon = (cell: string) => (cell.startsWith('✅') ? 'yes' : cell.startsWith('❌') ? 'no' : cell.startsWith('⚠️') ? 'partial' : undefined);

describe('the live knowledge file: invariants only, no values', () => {
  const loaded = loadKnowledgeFile(BUILT_IN_KNOWLEDGE_FILE);

  it('loads, and is what builtInKnowledge() serves', () => {
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    if (loaded.ok) expect(builtInKnowledge()).toEqual(loaded.knowledge);
  });

  it('passes check-knowledge', async () => {
    let stdout = '';
    let stderr = '';
    const code = await run(['check-knowledge', BUILT_IN_KNOWLEDGE_FILE], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: '', env: {} });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`✔ .*knowledge\\.yml is valid: \\d+ topics, ${ALL_NEED_IDS.length} needs`));
  });
});

describe.each([
  ['live', () => builtInKnowledge()],
  ['fixture', () => fixtureKnowledge()],
] as const)('the %s knowledge file: coverage and references', (_, load) => {
  it('has every SPEC topic and need exactly once, and every reference resolves', () => {
    const k = load();
    expect(k.topics.map((t) => t.id)).toEqual(expect.arrayContaining([...TOPIC_IDS]));
    // Every SPEC need, plus the needs added after the SPEC where the file has them (the older fixture does not).
    const ids = k.needs.map((n) => n.id);
    expect(ids.sort()).toEqual([...NEED_IDS, ...ADDED_NEED_IDS.filter((id) => ids.includes(id))].sort());
    expect(knowledgeInvariantProblems(k)).toEqual([]);
    expect(helpArticleMapProblems(k)).toEqual([]);
  });

  it('covers every row and item of the help article (frozen copy)', () => {
    const ha = map;
    const rows = tableRows(sectionText(/Feature Comparison/));
    expect(rows.length).toBeGreaterThan(0);
    for (const [feature] of rows) expect(ha.comparison.map((c) => c.row), `comparison row "${feature}"`).toContain(feature);
    expect(ha.comparison.length).toBe(rows.length);
    expect(ha.chooseCoexistence.map((i) => i.item)).toEqual(numbered(sectionText(/When to Choose Co-Existence/)).map((_, i) => i + 1));
    expect(ha.chooseApiOnly.map((i) => i.item)).toEqual(numbered(sectionText(/When to Choose WhatsApp Business API Only/)).map((_, i) => i + 1));
    expect(ha.rightSetup.length).toBe(tableRows(sectionText(/Choosing the Right Setup/)).length);
    expect(ha.useCases.length).toBe(article.match(/Example Use Case/g)?.length);
    for (const u of ha.useCases) expect(validateRequirements(u.requirements).ok, u.name).toBe(true);
  });

  it('records the article claim wherever its verdict on a comparison row is not "current"', () => {
    const k = load();
    for (const row of map.comparison) {
      const facts = topicFacts(k, k.topics.find((t) => t.id === row.topic)!);
      const differs = (row.coexistence && row.coexistence !== facts.coexistence.status) || (row.apiOnly && row.apiOnly !== facts.apiOnly.status);
      if (differs) {
        expect(row.verdict, `${row.row} differs from the article`).not.toBe('current');
        expect(facts.articleSays, `${row.topic} must record the article's claim`).toBeDefined();
      }
      if (row.verdict !== 'current') expect(facts.articleSays, `${row.topic}: verdict ${row.verdict} needs articleSays`).toBeDefined();
    }
  });
});

describe('the fixture knowledge base', () => {
  it('is a frozen copy, not the live file', () => {
    expect(FIXTURE_KNOWLEDGE_FILE).not.toBe(BUILT_IN_KNOWLEDGE_FILE);
    expect(kb.topics).toHaveLength(22);
    expect(map.comparison).toHaveLength(14);
  });

  it('gives every topic both setups, sources with URLs and a lastVerified date', () => {
    for (const t of kb.topics) {
      const facts = topicFacts(kb, t);
      expect(facts.sources.length, t.id).toBeGreaterThan(0);
      for (const s of facts.sources) expect(s.url).toMatch(/^https:\/\//);
      expect(t.lastVerified).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(facts.coexistence.answer.length).toBeGreaterThan(10);
      expect(facts.apiOnly.answer.length).toBeGreaterThan(10);
    }
  });

  it('states current facts where the help article is stale, and records the article claim', () => {
    const byId = (id: string) => topicFacts(kb, kb.topics.find((t) => t.id === id)!);
    expect(byId('message-revoke').coexistence.status).toBe('yes');
    expect(byId('message-revoke').articleSays?.verdict).toBe('outdated');
    expect(byId('availability').articleSays?.claim).toMatch(/India/);
    expect(byId('throughput').apiOnly.answer).toMatch(/1,000/);
    expect(kb.offerPolicy.coexistence.mps).toBe(20);
    expect(kb.offerPolicy.coexistence.countries).toEqual(['IN']);
    expect(kb.offerPolicy.capabilities).toEqual({ callingApi: false, groupsApi: false });
  });
});

describe('help article coverage (fixture knowledge)', () => {
  const ha = map;

  it('has every row of the feature comparison table, with the article ticks recorded', () => {
    const rows = tableRows(sectionText(/Feature Comparison/));
    expect(rows.length).toBe(14);
    for (const [feature, coex, api] of rows) {
      const entry = ha.comparison.find((c) => c.row === feature);
      expect(entry, `comparison row "${feature}"`).toBeDefined();
      expect(entry!.coexistence).toBe(icon(coex!));
      expect(entry!.apiOnly).toBe(icon(api!));
    }
    expect(ha.comparison.length).toBe(rows.length);
  });

  it('has both "choose ... if you" lists item by item', () => {
    const coexItems = numbered(sectionText(/When to Choose Co-Existence/));
    const apiItems = numbered(sectionText(/When to Choose WhatsApp Business API Only/));
    expect(coexItems.length).toBe(7);
    expect(apiItems.length).toBe(7);
    expect(ha.chooseCoexistence.map((i) => i.item)).toEqual(coexItems.map((_, i) => i + 1));
    expect(ha.chooseApiOnly.map((i) => i.item)).toEqual(apiItems.map((_, i) => i + 1));
    // The article's 80–100 MPS claim is recorded against the throughput topic, which states the current figures.
    const mps = ha.chooseApiOnly.find((i) => /80/.test(i.says))!;
    expect(mps.topic).toBe('throughput');
    expect(apiItems[mps.item - 1]).toMatch(/80–100 MPS/);
  });

  it('has the "right setup" table, each row mapped to needs that recommend() turns into that setup', async () => {
    const rows = tableRows(sectionText(/Choosing the Right Setup/));
    expect(rows.length).toBe(6);
    expect(ha.rightSetup.length).toBe(6);
    const { recommend } = await import('../../src/advisor/recommend.ts');
    rows.forEach(([, setup], i) => {
      const entry = ha.rightSetup[i]!;
      expect(entry.setup).toBe(/Co-Existence/.test(setup!) ? 'coexistence' : 'api-only');
      const r = recommend({ country: 'IN', needs: entry.needs as Requirements['needs'] }, kb);
      expect(r.setup, entry.want).toBe(entry.setup);
    });
  });

  it('has both use-case examples, and recommend() agrees with them', async () => {
    const { recommend, validateRequirements } = await import('../../src/index.ts');
    expect(article.match(/Example Use Case/g)?.length).toBe(2);
    expect(ha.useCases.map((u) => u.setup)).toEqual(['coexistence', 'api-only']);
    for (const u of ha.useCases) {
      const v = validateRequirements(u.requirements);
      expect(v.ok).toBe(true);
      if (v.ok) expect(recommend(v.requirements, kb).setup, u.name).toBe(u.setup);
    }
  });

  it('records the overview claim that Co-Existence is India-only as outdated', () => {
    expect(article).toMatch(/available only in India/);
    expect(ha.overview[0]).toMatchObject({ topic: 'availability', verdict: 'outdated' });
  });
});

describe('loading another knowledge file', () => {
  it('accepts an unchanged copy', () => {
    expect(parseKnowledge(fixtureYaml).ok).toBe(true);
  });

  it('reports every problem at once, each with its path, and loads nothing', () => {
    const text = edited((d) => {
      d.topics[3].sources.push('NOPE');
      d.sources.M1.url = 'not a url';
      d.topics[0].coexistence.status = 'maybe';
      d.topics[5].lastVerified = '11/09/2026';
      d.topics[2].anwser = 'typo key';
    });
    const result = parseKnowledge(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const all = result.problems.join('\n');
    expect(all).toMatch(/topics\[3\]\.sources\[\d+\]: unknown source "NOPE".*\(line \d+, topic automation\)/);
    expect(all).toContain('unknown source "NOPE"');
    expect(all).toContain('sources.M1.url: invalid URL');
    expect(all).toMatch(/topics\[0\]\.coexistence\.status: .*yes.*no.*partial/);
    expect(all).toContain('topics[5].lastVerified');
    expect(all).toMatch(/topics\[2\].*anwser/);
    expect(result.problems.length).toBeGreaterThanOrEqual(5);
    expect('knowledge' in result).toBe(false);
  });

  it('reports a missing topic, a duplicate topic and an impossible policy', () => {
    const result = parseKnowledge(
      edited((d) => {
        d.topics = d.topics.filter((t: { id: string }) => t.id !== 'calls');
        d.topics.push({ ...d.topics[0] });
        d.offerPolicy.apiOnly.maxMps = 10;
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/^topics: topic "calls" is missing/m);
    expect(result.problems.some((p) => /appears more than once/.test(p))).toBe(true);
    expect(result.problems.join('\n')).toMatch(/^offerPolicy\.apiOnly\.maxMps: must not be below defaultMps/m);
  });

  it('fills a policy figure into every text that quotes it: a policy change needs no other edit', () => {
    const result = parseKnowledge(edited((d) => void (d.offerPolicy.coexistence.mps = 30)));
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    const throughput = topicFacts(result.knowledge, result.knowledge.topics.find((t) => t.id === 'throughput')!);
    expect(throughput.coexistence.answer).toMatch(/^Fixed at 30 messages per second/);
    expect(result.knowledge.caveats.coexistence.find((c) => c.topic === 'throughput')!.text).toMatch(/fixed at 30 messages per second/);
    expect(JSON.stringify(result.knowledge)).not.toMatch(/\b20 (MPS|messages per second)/);
  });

  it('refuses a figure typed by hand that disagrees with the policy, or retypes it, naming the placeholder to use', () => {
    const result = parseKnowledge(
      edited((d) => {
        const automation = d.topics.find((t: { id: string }) => t.id === 'automation');
        automation.coexistence.answer = 'Yes, within the 25 MPS cap.';
        automation.apiOnly.answer = 'Yes, at 80 messages per second by default.';
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringMatching(/^topics\[3\]\.coexistence\.answer: "25 MPS" disagrees with the offer policy \(coexistence\.mps 20, apiOnly\.defaultMps 80, apiOnly\.maxMps 1,000\).*\(line \d+, topic automation\)$/),
      expect.stringMatching(/^topics\[3\]\.apiOnly\.answer: "80 messages per second" retypes a figure of the offer policy: write \{\{apiOnly\.defaultMps\}\}/),
    ]);
  });

  it('refuses a need that contradicts its topic, and one marked narrower that is not', () => {
    const broader = parseKnowledge(edited((d) => void (d.needs.find((n: { id: string }) => n.id === 'new-broadcast-lists').narrower.coexistence = 'yes')));
    expect(broader.ok ? [] : broader.problems).toEqual([
      expect.stringMatching(/^needs\[9\]\.narrower\.coexistence: need "new-broadcast-lists" says coexistence "yes", but its topic "broadcast-lists" says "partial": a need cannot be met better than its topic/),
    ]);
    // The topic changes under the need: the need's override now says what the topic says, and is named.
    const same = parseKnowledge(edited((d) => void (d.topics.find((t: { id: string }) => t.id === 'broadcast-lists').coexistence.status = 'no')));
    expect(same.ok ? [] : same.problems).toEqual([expect.stringMatching(/^needs\[9\]\.narrower\.coexistence: .*the same as its topic "broadcast-lists": it is not narrower/)]);
  });

  it('a need follows its topic: a topic status change changes the recommendation, with no need edit', async () => {
    const { recommend } = await import('../../src/index.ts');
    const result = parseKnowledge(edited((d) => void (d.topics.find((t: { id: string }) => t.id === 'status-updates').apiOnly.status = 'yes')));
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.knowledge.needs.find((n) => n.id === 'status-updates')!.apiOnly).toBe('yes');
    // Co-Existence ruled out (DE is not in the offer): API-only now gives Status, so nothing is lost.
    expect(recommend({ country: 'DE', needs: ['status-updates'] }, result.knowledge).conflicts.map((c) => c.need)).not.toContain('status-updates');
    expect(recommend({ country: 'DE', needs: ['status-updates'] }, kb).conflicts.map((c) => c.need)).toContain('status-updates');
  });

  it('reports YAML syntax errors with line and column, never a stack trace', () => {
    const result = parseKnowledge('version: 1\ntopics: [\n  - id: calls\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/^line \d+, column \d+: /);
    const dup = parseKnowledge('version: 1\nversion: 2\n');
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.problems.join()).toMatch(/unique|duplicate/i);
  });

  it('refuses alias bombs instead of expanding them, and says so; fewer aliases get the ordinary checks', () => {
    // `levels` anchors of ten aliases each, under one key appended to the fixture: 8 levels expand to 10^9 nodes.
    const letter = (i: number) => String.fromCharCode(97 + i);
    const bomb = (levels: number) =>
      [
        'x-bomb:',
        '  a: &a [x,x,x,x,x,x,x,x,x,x]',
        ...Array.from({ length: levels }, (_, i) => `  ${letter(i + 1)}: &${letter(i + 1)} [${Array(10).fill(`*${letter(i)}`).join(',')}]`),
      ].join('\n');
    const refused = parseKnowledge(`${fixtureYaml}\n${bomb(8)}\n`);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.problems).toHaveLength(1);
      expect(refused.problems[0]).toMatch(/alias/i);
      expect(refused.problems[0]).toMatch(/excessive|exhaustion|too many/i);
    }
    // Control: the same text with one level of aliases is read, and fails only on the unknown key.
    const control = parseKnowledge(`${fixtureYaml}\n${bomb(1)}\n`);
    expect(control.ok ? [] : control.problems).toEqual([expect.stringMatching(/^\(file\): Unrecognized key: "x-bomb"/)]);
    // Control: aliases as such are fine; the fixture with one source list shared through an alias loads.
    const shared = fixtureYaml.replace('    sources: [M1]\n', '    sources: &m1 [M1]\n').replace(/(    sources: )\[M1\]\n(?![\s\S]*&m1)/, '$1*m1\n');
    expect(shared).toContain('*m1');
    expect(parseKnowledge(shared).ok).toBe(true);
  });

  it('lists topics verified longer ago than reviewEveryDays', () => {
    const k: Knowledge = { ...kb, reviewEveryDays: 30 };
    const stale = staleTopics(k, '2026-12-31');
    expect(stale.length).toBe(kb.topics.length);
    expect(staleTopics(kb, kb.topics[0]!.lastVerified)).toEqual([]);
  });
});
