#!/usr/bin/env node
// Builds dist/: compiles src/ and adapters/ with tsc (tsconfig.build.json) and copies the files they load at run
// time (every non-TypeScript file under src/ and adapters/, e.g. src/knowledge/knowledge.yml) beside the output.
//
//   node bin/build.js              build now                                   (npm run build)
//   node bin/build.js --if-stale   build only what changed since the last build (npm start, via prestart)
//   node bin/build.js --prepare    as --if-stale, but never fails an install    (npm install / npm ci)
//
// After the data files, the built-in knowledge is also written as JSON (dist/src/knowledge/knowledge.snapshot.json,
// by the compiled loader's writeKnowledgeSnapshot): the server reads that at start instead of parsing the YAML.
//
// dist/.build-stamp records a hash of the code (TypeScript sources, tsconfig files), the compiler version and a hash
// of the data files. --if-stale compares them: unchanged → nothing to do (a few ms); only data changed (a knowledge owner
// edited knowledge.yml) → copy the data files; code changed → run tsc. Without TypeScript installed (a production
// install, `npm ci --omit=dev`) it cannot compile: it still refreshes the data files and says what it could not do.
// bin/coexist-advisor.js runs the same check before the CLI, so `npx coexist-advisor ask …` answers from the file
// as edited, too. Plain JavaScript on purpose: it must run before anything is compiled and without dev dependencies.

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const SOURCE_DIRS = ['src', 'adapters'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];
const STAMP = path.join(DIST, '.build-stamp');
const ENTRIES = ['dist/adapters/host/main.js', 'dist/adapters/cli/entry.js'];
const isCode = (file) => file.endsWith('.ts');

/** Every file under src/ and adapters/, as paths relative to the repository root, sorted. */
function sourceFiles() {
  const out = [];
  const walk = (rel) => {
    for (const entry of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(ROOT, dir))) walk(dir);
  return out.sort();
}

function typescript() {
  try {
    const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
    return { tsc: path.join(path.dirname(pkg), 'bin', 'tsc'), version: JSON.parse(readFileSync(pkg, 'utf8')).version };
  } catch {
    return undefined;
  }
}

function hashOf(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(path.join(ROOT, f))).update('\0');
  return h.digest('hex');
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return {};
  }
}

/** Writes a file so that a reader never sees it half written (the server, the CLI or a test may be reading dist/). */
function writeAtomically(to, bytes) {
  mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, to);
}

const copyData = (rel) => writeAtomically(path.join(DIST, rel), readFileSync(path.join(ROOT, rel)));

function walkFiles(dir, rel = '', out = []) {
  if (!existsSync(path.join(dir, rel))) return out;
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) walkFiles(dir, child, out);
    else out.push(child);
  }
  return out;
}

/** Removes compiled files whose source is gone, so a deleted module cannot keep running from dist/. */
function pruneOrphans(files) {
  const wanted = new Set(files.map((f) => (isCode(f) ? f.replace(/\.ts$/, '.js') : f)));
  for (const dir of SOURCE_DIRS) {
    for (const rel of walkFiles(DIST, dir)) if (!wanted.has(rel.replace(/\.map$/, ''))) rmSync(path.join(DIST, rel));
  }
}

/**
 * tsc writes into a staging folder beside dist/ (same depth, so source map paths are the same), and only the files
 * that changed are moved into dist/, each in one rename: a running server, CLI or test never reads a torn file.
 */
function compile(ts) {
  const stage = path.join(ROOT, `.build-tmp-${process.pid}`);
  try {
    const run = spawnSync(process.execPath, [ts.tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', stage], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (run.status !== 0) return false;
    for (const rel of walkFiles(stage)) {
      const bytes = readFileSync(path.join(stage, rel));
      const to = path.join(DIST, rel);
      if (!existsSync(to) || !readFileSync(to).equals(bytes)) writeAtomically(to, bytes);
    }
    return true;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

const say = (line) => process.stderr.write(`coexist-advisor build: ${line}\n`);

/**
 * Makes dist/ current; returns an exit code (0 ok). mode: 'build' always compiles; 'if-stale' compiles only when the
 * code changed; 'prepare' is 'if-stale' that never fails (an install must not fail because of a type error).
 */
export function ensureBuilt(mode) {
  // Only dist/ shipped (no sources beside it): nothing to compare, nothing to build.
  if (!existsSync(path.join(ROOT, 'src'))) return ENTRIES.every((e) => existsSync(path.join(ROOT, e))) ? 0 : missing(mode === 'prepare' ? 0 : 1);
  const files = sourceFiles();
  const codeFiles = files.filter(isCode);
  const dataFiles = files.filter((f) => !isCode(f));
  const ts = typescript();
  const codeHash = hashOf([...codeFiles, ...CONFIGS.filter((c) => existsSync(path.join(ROOT, c)))]);
  const dataHash = hashOf(dataFiles);
  const stamp = readStamp();
  const built = ENTRIES.every((e) => existsSync(path.join(ROOT, e)));
  const codeChanged = stamp.code !== codeHash;
  const needCode = mode === 'build' || !built || codeChanged || (ts !== undefined && stamp.typescript !== ts.version);
  const needData = needCode || stamp.data !== dataHash;
  const soft = mode === 'prepare' ? 0 : 1;

  if (mode === 'build' && !ts) {
    say('TypeScript is not installed: run `npm install` (or `npm ci`) without --omit=dev first.');
    return 1;
  }
  if (needCode && !ts) {
    if (!built) return missing(soft);
    // A production install (no dev dependencies): serve the compiled code, with the current data files.
    for (const f of dataFiles) copyData(f);
    writeSnapshot();
    writeStamp({ ...stamp, data: dataHash });
    if (codeChanged) say('TypeScript is not installed (a production install?), so dist/ was not recompiled after the sources changed. Build with `npm ci` (it builds) before `npm prune --omit=dev`.');
    return 0;
  }
  if (needCode) {
    if (mode !== 'build') say(built ? 'the sources changed since the last build: compiling' : 'dist/ is missing: compiling');
    if (!compile(ts)) {
      say(`tsc reported errors; dist/ was left as it was.${mode === 'prepare' ? ' The install goes on; `npm start` and `npm run build` will try again.' : ''}`);
      return soft;
    }
    pruneOrphans(files);
  }
  if (needData) {
    for (const f of dataFiles) copyData(f);
    writeSnapshot();
  }
  if (needCode || needData) writeStamp({ code: codeHash, data: dataHash, typescript: ts.version });
  return 0;
}

/**
 * The built-in knowledge as JSON beside its YAML in dist/ (the compiled loader writes it). Invalid knowledge writes none
 * and the old one is removed: the server then reads the YAML, and reports its problems with file and line.
 */
function writeSnapshot() {
  const loader = path.join(DIST, 'src/knowledge/loader.js');
  const out = path.join(DIST, 'src/knowledge/knowledge.snapshot.json');
  if (!existsSync(loader)) return;
  const script = `const m = await import(${JSON.stringify(pathToFileURL(loader).href)}); const r = m.writeKnowledgeSnapshot(); if (!r.ok) { console.error(r.problems.join('\\n')); process.exit(1); }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    rmSync(out, { force: true });
    say(`the built-in knowledge is invalid, so no snapshot was written (npx coexist-advisor check-knowledge lists the problems):\n${run.stderr.trim().split('\n').slice(0, 5).join('\n')}`);
  }
}

function missing(code) {
  say(
    'dist/ is missing and TypeScript is not installed, so it cannot be built here.\n' +
      '  Development: `npm install` (installs TypeScript and builds dist/).\n' +
      '  Production: build first (`npm ci` builds dist/), then `npm prune --omit=dev`; or copy dist/ from a build stage.',
  );
  return code;
}

function writeStamp(stamp) {
  writeAtomically(STAMP, `${JSON.stringify(stamp, null, 2)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mode = process.argv.includes('--prepare') ? 'prepare' : process.argv.includes('--if-stale') ? 'if-stale' : 'build';
  process.exitCode = ensureBuilt(mode);
}
