import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { run } from '../../adapters/cli/main.ts';
import { BUILT_IN_KNOWLEDGE_FILE, TOPIC_IDS } from '../../src/index.ts';
import { FIXTURE_KNOWLEDGE_FILE, fixtureText } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

// The CLI runs in this process (runCli), on the frozen fixture knowledge unless a test says otherwise.
// test/cli/build.test.ts spawns the real binary once.

const tmp = mkdtempSync(path.join(tmpdir(), 'coexist-cli-'));
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('coexist-advisor ask', () => {
  it('answers a question for both setups, with sources, in 80 columns', async () => {
    const r = await runCli(['ask', 'can we do video calls on api?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Voice & video calls/);
    expect(r.stdout).toMatch(/Co-Existence\s+✅ Yes/);
    expect(r.stdout).toMatch(/API only\s+❌ No/);
    expect(r.stdout).toMatch(/Sources:\n.*Meta/);
    expect(r.stdout).toMatch(/Last verified \d{4}-\d{2}-\d{2}/);
    for (const line of r.stdout.split('\n')) if (!/https?:\/\//.test(line)) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('prints the JSON contract with --json', async () => {
    const r = await runCli(['ask', 'mps', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.topic).toBe('throughput');
    expect(typeof out.confidence).toBe('number');
    expect(out.answer.coexistence.status).toBe('partial');
    expect(Array.isArray(out.alternatives)).toBe(true);
  });

  it('reads questions from stdin and writes one JSON line each', async () => {
    const r = await runCli(['ask'], { stdin: 'video call\n\norder pizza\nwhatsapp web\n' });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.topic)).toEqual(['calls', null, 'linked-devices']);
    expect(lines[1].answer.message).toMatch(/only know/);
  });

  it('gives off-topic questions a helpful reply, not a topic', async () => {
    const r = await runCli(['ask', 'what', 'is', 'the', 'capital', 'of', 'Peru']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/only know about WhatsApp Co-Existence/);
    expect(r.stdout).toMatch(/coexist-advisor ask "/);
  });
});

describe('coexist-advisor recommend', () => {
  it('recommends API-only at 60 MPS, naming the calls conflict and an alternative', async () => {
    const r = await runCli(['recommend', '--country', 'IN', '--peak-mps', '60', '--need', 'calls']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Recommendation: WhatsApp Business API only/);
    expect(r.stdout).toMatch(/Conflicts[\s\S]*Voice & video calls/);
    expect(r.stdout).toMatch(/Alternative[\s\S]*two numbers/);
  });

  it('prints the recommendation object with --json, from a file and from stdin', async () => {
    const file = path.join(tmp, 'req.json');
    writeFileSync(file, JSON.stringify({ customer: 'Casa Homes', country: 'in', agents: 2, needs: ['phone-app', 'calls'] }));
    const fromFile = JSON.parse((await runCli(['recommend', '--json', '--file', file])).stdout);
    expect(fromFile).toMatchObject({ setup: 'coexistence', confidence: 'high' });
    for (const key of ['reasons', 'conflicts', 'unmet', 'caveats']) expect(Array.isArray(fromFile[key])).toBe(true);
    const fromStdin = await runCli(['recommend', '--json', '-'], { stdin: readFileSync(file, 'utf8') });
    expect(JSON.parse(fromStdin.stdout)).toEqual(fromFile);
  });

  it('exits 2 naming every bad flag and the allowed values, without a stack trace', async () => {
    const r = await runCli(['recommend', '--country', 'Germany', '--agents', 'three', '--need', 'fax']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--country: "Germany" is not a country code/);
    expect(r.stderr).toMatch(/--agents: Agents must be a whole number/);
    expect(r.stderr).toMatch(/--need: "fax" is not a need\. Allowed: phone-app, calls/);
    noStack(r.stderr);
  });

  it('exits 2 on bad JSON, unknown fields, a missing file and missing input', async () => {
    const bad = await runCli(['recommend', '-'], { stdin: '{"country": "IN",' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);
    const unknown = await runCli(['recommend', '-'], { stdin: '{"country":"IN","needs":[],"budget":5}' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown field "budget"\. Allowed fields: customer, country/);
    const missing = await runCli(['recommend', '--file', path.join(tmp, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read requirements file/);
    const none = await runCli(['recommend']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--country IN/);
    for (const r of [bad, unknown, missing, none]) noStack(r.stderr);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['ask', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });
});

describe('coexist-advisor compare, topics, check-knowledge', () => {
  it('compare prints every topic with ✅ ❌ ⚠️ within 80 columns', async () => {
    const r = await runCli(['compare']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Same number on the app and the API\s+✅ Yes\s+❌ No/);
    expect(r.stdout).toMatch(/⚠️ Partly/);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const json = JSON.parse((await runCli(['compare', '--json'])).stdout);
    expect(json.rows).toHaveLength(TOPIC_IDS.length);
  });

  it('topics --json lists id, title, per-setup status, sources and lastVerified', async () => {
    const topics = JSON.parse((await runCli(['topics', '--json'])).stdout);
    expect(topics.map((t: { id: string }) => t.id).sort()).toEqual([...TOPIC_IDS].sort());
    expect(topics[0]).toEqual({
      id: expect.any(String),
      title: expect.any(String),
      coexistence: expect.stringMatching(/^(yes|no|partial)$/),
      apiOnly: expect.stringMatching(/^(yes|no|partial)$/),
      sources: expect.arrayContaining([{ title: expect.any(String), url: expect.stringMatching(/^https:/) }]),
      lastVerified: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  it('check-knowledge validates KNOWLEDGE_FILE, else the built-in file, and lists every problem of a broken one with exit 2', async () => {
    const ok = await runCli(['check-knowledge']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`✔ ${FIXTURE_KNOWLEDGE_FILE} is valid: 22 topics, 16 needs`);
    const builtIn = await runCli(['check-knowledge'], { env: { KNOWLEDGE_FILE: '' } });
    expect(builtIn.code, builtIn.stderr).toBe(0);
    // The live file: valid, however many topics its owner has added.
    expect(builtIn.stdout).toContain(`✔ ${BUILT_IN_KNOWLEDGE_FILE} is valid: `);
    expect(builtIn.stdout).toMatch(/is valid: \d+ topics/);
    const broken = path.join(tmp, 'broken.yml');
    writeFileSync(broken, fixtureText('knowledge.yml').replace('url: https://developers.facebook.com/docs/whatsapp/cloud-api/calling', 'url: calling').replace('  - id: calls\n    title:', '  - id: callz\n    title:'));
    const r = await runCli(['check-knowledge', broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sources\.M5\.url: invalid URL/);
    expect(r.stderr).toMatch(/topics\[1\]\.id: /);
    expect(r.stderr).toMatch(/topic "calls" is missing/);
    noStack(r.stderr);
  });

  it('uses KNOWLEDGE_FILE, and refuses to answer from a broken one', async () => {
    const policy = path.join(tmp, 'wider.yml');
    writeFileSync(policy, fixtureText('knowledge.yml').replace('countries: [IN]', 'countries: [IN, DE]'));
    const r = await runCli(['recommend', '--json', '--country', 'DE', '--need', 'phone-app'], { env: { KNOWLEDGE_FILE: policy } });
    expect(JSON.parse(r.stdout).setup).toBe('coexistence');
    const fixture = await runCli(['recommend', '--json', '--country', 'DE', '--need', 'phone-app']);
    expect(JSON.parse(fixture.stdout).setup).toBe('api-only');
    // An edited file is read again, not served from the previous run in this process.
    writeFileSync(policy, fixtureText('knowledge.yml'));
    const edited = await runCli(['recommend', '--json', '--country', 'DE', '--need', 'phone-app'], { env: { KNOWLEDGE_FILE: policy } });
    expect(JSON.parse(edited.stdout).setup).toBe('api-only');
    const broken = await runCli(['ask', 'calls'], { env: { KNOWLEDGE_FILE: path.join(tmp, 'missing.yml') } });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/KNOWLEDGE_FILE .*missing\.yml is invalid:\n\s+.*no such file/);
  });
});

describe('run(argv, io)', () => {
  it('reads, writes and configures only through the io it is given: a stream on stdin, help on stdout', async () => {
    const spies = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    try {
      let stdout = '';
      let stderr = '';
      const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env: { KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE } };
      // Lines split across chunks, as a pipe delivers them.
      expect(await run(['ask'], { ...io, stdin: Readable.from(['video call\nwhats', 'app web\n']) })).toBe(0);
      expect(stdout.trim().split('\n').map((l) => JSON.parse(l).topic)).toEqual(['calls', 'linked-devices']);
      stdout = '';
      expect(await run(['--help'], io)).toBe(0);
      expect(stdout).toMatch(/^Usage: coexist-advisor/);
      expect(await run(['recommend', '--country', 'IN', '--peak-mps', 'lots'], io)).toBe(2);
      expect(stderr).toMatch(/--peak-mps: Peak messages per second must be a number/);
      expect(await run(['ask', 'calls'], { ...io, env: { KNOWLEDGE_FILE: path.join(tmp, 'none.yml') } })).toBe(2);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
