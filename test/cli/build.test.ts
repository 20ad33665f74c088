import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_KNOWLEDGE_FILE, TOPIC_IDS } from '../../src/index.ts';
import { FIXTURE_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { CLI_BIN } from '../helpers/run-cli.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';
import { openStore, sqliteTarget } from '../../adapters/store/store.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run build', () => {
  it('emits runnable JavaScript with the knowledge file beside the loader', () => {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const shipped = path.join(ROOT, 'dist/src/knowledge/knowledge.yml');
    expect(existsSync(shipped)).toBe(true);
    expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(BUILT_IN_KNOWLEDGE_FILE, 'utf8'));
    // No KNOWLEDGE_FILE: the compiled loader finds its built-in file (the live one: no values asserted).
    const ask = spawnSync(process.execPath, [path.join(ROOT, 'dist/adapters/cli/entry.js'), 'ask', 'whatsapp web', '--json'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(ask.status, ask.stderr).toBe(0);
    expect(TOPIC_IDS).toContain(JSON.parse(ask.stdout).topic);
  });

  it('the compiled server reads the built-in knowledge from the build\'s JSON snapshot (the YAML parser is not loaded); an edited YAML is read instead', () => {
    // After the build above. A copy of dist/ (node_modules linked beside it), so the edit touches no other test.
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-snapshot-'));
    try {
      cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      const probe = () => {
        const script = `
          import { createRequire } from 'node:module';
          const m = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'dist/src/index.js')).href)});
          const kb = m.builtInKnowledge();
          const yaml = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/yaml/'));
          const fromYaml = m.loadKnowledgeFile(m.BUILT_IN_KNOWLEDGE_FILE);
          console.log(JSON.stringify({ yaml, same: fromYaml.ok && JSON.stringify(fromYaml.knowledge) === JSON.stringify(kb), topics: kb.topics.length }));`;
        const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
        expect(run.status, run.stderr).toBe(0);
        return JSON.parse(run.stdout) as { yaml: boolean; same: boolean; topics: number };
      };
      expect(existsSync(path.join(dir, 'dist/src/knowledge/knowledge.snapshot.json'))).toBe(true);
      // (probe() loads the YAML itself after reading builtInKnowledge(), to compare: `yaml` is read before that.)
      expect(probe()).toMatchObject({ yaml: false, same: true });
      // A knowledge owner edits a topic in dist/ after the build: the snapshot no longer matches, the YAML is read.
      const topic = path.join(dir, 'dist/src/knowledge/topics/calls.yml');
      writeFileSync(topic, `${readFileSync(topic, 'utf8')}\n# edited after the build\n`);
      expect(probe()).toMatchObject({ yaml: true, same: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check-knowledge from the compiled CLI checks and names src/knowledge/knowledge.yml, not its copy in dist/', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/adapters/cli/entry.js'), 'check-knowledge'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`✔ ${path.join(ROOT, 'src/knowledge/knowledge.yml')} is valid`);
    expect(run.stdout).not.toContain('dist/');
  });

  it('coexist-advisor --version prints the version in package.json, compiled and from the sources', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const compiled = spawnSync(process.execPath, [CLI_BIN, '--version'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(compiled.stdout).toBe(`${version}\n`);
    const sources = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'adapters/cli/entry.ts'), '-V'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(sources.stdout).toBe(`${version}\n`);
    // CHANGELOG.md has a section for it.
    expect(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## [${version}]`);
  });

  it("the compiled store writes through its writer thread (dist/ has the thread's boot file and module)", () => {
    // After the build above: a question handed to the compiled StoreService is written by the thread and read back.
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-dist-store-'));
    try {
      const script = `
        const { StoreService } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/adapters/store/service.js')).href)});
        const { sqliteTarget } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/adapters/store/store.js')).href)});
        const { newQuestionId } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/adapters/store/records.js')).href)});
        const quiet = { info() {}, warn() {}, error(o, m) { console.error(m, JSON.stringify(o)); }, child() { return quiet; } };
        const s = new StoreService({ target: sqliteTarget(${JSON.stringify(dir)}), retentionDays: 30, logger: quiet });
        await s.start();
        s.recorder.question({ id: newQuestionId(), platform: 'slack', userId: 'U1', text: 'written by the thread', topic: null, confidence: 0 });
        await s.recorder.flush();
        const rows = [];
        for await (const q of s.store.exportQuestions(new Date(0))) rows.push(q.question);
        await s.close();
        console.log(JSON.stringify(rows));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(['written by the thread']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM right after a burst of questions: the server exits 0 and every question is in the store (writer thread)', async () => {
    const connector = await new FakeConnector().start();
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-sigterm-'));
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/adapters/host/main.js')], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, STORE_WRITES: 'thread', KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b;
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m && /store ready/.test(out)) resolve(m[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const asked = Array.from({ length: 20 }, (_, i) => `can we do video calls on api? ${i}`);
      await Promise.all(asked.map((text) => fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { text })) })));
      child.kill('SIGTERM');
      expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
      const store = await openStore(sqliteTarget(dir), { create: false });
      const stored: string[] = [];
      for await (const q of store.exportQuestions(new Date(0))) stored.push(q.question);
      await store.close();
      expect(stored.sort()).toEqual([...asked].sort());
    } finally {
      child.kill('SIGKILL');
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The one smoke test of the real binary; every other CLI test runs in-process (test/helpers/run-cli.ts).
  it('the real binary, bin/coexist-advisor.js, reads standard input, writes standard output and exits 0 or 2', () => {
    const env = { PATH: process.env.PATH ?? '', KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE };
    const ask = spawnSync(process.execPath, [CLI_BIN, 'ask'], { cwd: ROOT, input: 'video call\n\nwhatsapp web\n', encoding: 'utf8', env });
    expect(ask.status, ask.stderr).toBe(0);
    expect(ask.stdout.trim().split('\n').map((l) => JSON.parse(l).topic)).toEqual(['calls', 'linked-devices']);
    const bad = spawnSync(process.execPath, [CLI_BIN, 'recommend', '--country', 'Germany'], { cwd: ROOT, encoding: 'utf8', env });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/--country: "Germany" is not a country code/);
    expect(bad.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
