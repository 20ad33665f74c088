import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { crossCheck, type Problem } from './checks.ts';
import { articleFigureNotes, fillFigures } from './figures.ts';
import { TOPIC_IDS } from './ids.ts';
import { PARTS, knowledgeDataSchema, type Knowledge, type KnowledgeData, type PartName } from './schema.ts';
import { DAY_MS } from '../time.ts';

// Reads a knowledge file. knowledge.yml names the file of each part (policy.yml, topics/ with one file per topic,
// …) or holds it inline; both read the same way. Every problem is reported at once with its file, line and topic,
// and nothing is returned unless all of it is valid, so a broken file never half-loads.

/** `warnings` are worth a look but do not stop the knowledge loading (a situation shared by two topics). */
export type KnowledgeResult = { ok: true; knowledge: Knowledge; warnings: string[] } | { ok: false; problems: string[] };

export const BUILT_IN_KNOWLEDGE_FILE = fileURLToPath(new URL('./knowledge.yml', import.meta.url));

/**
 * The built-in knowledge as build-time JSON (bin/build.js writes it into dist/ only): the data as read from the YAML,
 * before validation, and a hash of the YAML it came from. The server reads it instead of the YAML, so the YAML
 * parser is not loaded at start (about 60 ms), and validates it the same way; when the YAML beside it no longer has
 * that hash (edited since the build), the YAML is read instead.
 */
export const KNOWLEDGE_SNAPSHOT_FILE = fileURLToPath(new URL('./knowledge.snapshot.json', import.meta.url));

/** The YAML parser, loaded when a YAML file is read (not at all when the built-in knowledge comes from the snapshot). */
let yamlModule: typeof import('yaml') | undefined;
const yaml = () => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/** `['topics', 3, 'sources', 0, 'url']` → `topics[3].sources[0].url` */
export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(file)';
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** One YAML document read, and where its root sits in the knowledge data. */
interface Part {
  /** Shown in problems: relative to knowledge.yml's folder; undefined for text given without a file. */
  file: string | undefined;
  doc: Document;
  lines: LineCounter;
  at: (string | number)[];
}

const ALIAS_LIMIT = 50;
const PART_NAMES = Object.keys(PARTS) as PartName[];
const FILE_REF = /^(?!\/)(?!.*\.\.)[\w./-]+\.ya?ml$/;
const FOLDER_REF = /^(?!\/)(?!.*\.\.)[\w./-]+\/$/;

class Reader {
  readonly parts: Part[] = [];
  readonly problems: string[] = [];
  syntaxErrors = 0;

  /** Parses one document; a syntax error is reported with its line and column and gives undefined. */
  parse(text: string, file: string | undefined, at: (string | number)[]): unknown {
    const lines = new (yaml().LineCounter)();
    const doc = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        const where = file ? `${file}:${pos ? `${pos.line}:${pos.col}` : '1'}` : pos ? `line ${pos.line}, column ${pos.col}` : 'YAML';
        const line = pos ? (text.split('\n')[pos.line - 1] ?? '') : '';
        // YAML reads a value that starts with "{" as a mapping: the usual slip when a text begins with a figure.
        const hint = /:\s*\{\{/.test(line) ? ' (a text that starts with a {{placeholder}} must be written in "quotes")' : '';
        this.syntaxErrors++;
        this.problems.push(`${where}: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}${hint}`);
      }
      return undefined;
    }
    try {
      const data = doc.toJS({ maxAliasCount: ALIAS_LIMIT });
      this.parts.push({ file, doc, lines, at });
      return data;
    } catch (err) {
      this.problems.push(`${file ? `${file}: ` : 'YAML: '}${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * A problem with its place: `topics/calls.yml:12 (topic calls): coexistence.status: …` when read from a file;
   * `topics[1].coexistence.status: … (line 12, topic calls)` for text given without one.
   */
  describe(at: (string | number)[], message: string, data: unknown): string {
    let part: Part | undefined;
    for (const p of this.parts) if (p.at.every((k, i) => at[i] === k) && (!part || p.at.length > part.at.length)) part = p;
    const inner = part ? at.slice(part.at.length) : at;
    let line: number | undefined;
    if (part) {
      for (let n = inner.length; n >= 0 && line === undefined; n--) {
        const node = n === 0 ? part.doc.contents : part.doc.getIn(inner.slice(0, n), true);
        const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
        if (range && (n > 0 || yaml().isMap(node) || yaml().isSeq(node))) line = part.lines.linePos(range[0]).line;
      }
    }
    const owner = ownerOf(at, data);
    if (part?.file) return `${part.file}:${line ?? 1}${owner ? ` (${owner})` : ''}: ${inner.length ? `${formatPath(inner)}: ` : ''}${message}`;
    const extra = [at.length && line !== undefined ? `line ${line}` : undefined, owner].filter(Boolean).join(', ');
    return `${formatPath(at)}: ${message}${extra ? ` (${extra})` : ''}`;
  }
}

/** "topic calls" or "need calls": whose text a place in the data is. */
function ownerOf(at: (string | number)[], data: unknown): string | undefined {
  const kb = data as Record<string, any> | undefined;
  const item = (list: string, i: unknown) => (typeof i === 'number' && Array.isArray(kb?.[list]) ? kb![list][i] : undefined);
  const id = (v: any) => (v && typeof v.id === 'string' ? v.id : undefined);
  if (at[0] === 'topics' && id(item('topics', at[1]))) return `topic ${id(item('topics', at[1]))}`;
  if (at[0] === 'needs' && id(item('needs', at[1]))) return `need ${id(item('needs', at[1]))}`;
  if (at[0] === 'caveats' && typeof at[2] === 'number') {
    const topic = kb?.caveats?.[at[1]!]?.[at[2]]?.topic;
    if (typeof topic === 'string') return `topic ${topic}`;
  }
  if (at[0] === 'matching' && at[1] === 'phrasings' && typeof at[2] === 'string') return `topic ${at[2]}`;
  return undefined;
}

function readText(file: string): { text: string } | { problem: string } {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (code ?? 'cannot be read') };
  }
}

/** Topic files in a folder, the SPEC's topics first in the SPEC's order (the comparison's row order), then the rest. */
function topicFiles(folder: string): string[] {
  const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));
  const rank = (f: string) => {
    const i = (TOPIC_IDS as readonly string[]).indexOf(f.replace(/\.ya?ml$/, ''));
    return i < 0 ? TOPIC_IDS.length : i;
  };
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en'));
}

/** Reads the parts knowledge.yml names by file into the data, reporting what cannot be read. */
function readParts(reader: Reader, index: Record<string, unknown>, dir: string | undefined): Record<string, unknown> {
  const data: Record<string, unknown> = { ...index };
  for (const name of PART_NAMES) {
    const ref = index[name];
    if (typeof ref !== 'string') continue;
    const where = `${name}: "${ref}"`;
    if (dir === undefined) {
      reader.problems.push(`${where} names a file, but this knowledge was given as text: give it inline`);
      continue;
    }
    if (name === 'topics') {
      if (!FOLDER_REF.test(ref)) {
        reader.problems.push(`${where} must name a folder beside knowledge.yml, ending in / (such as topics/)`);
        continue;
      }
      const folder = path.join(dir, ref);
      let files: string[];
      try {
        if (!statSync(folder).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
        files = topicFiles(folder);
      } catch {
        reader.problems.push(`${where}: no such folder`);
        continue;
      }
      const topics: unknown[] = [];
      for (const f of files) {
        const rel = `${ref}${f}`;
        const read = readText(path.join(folder, f));
        if ('problem' in read) {
          reader.problems.push(`${rel}: ${read.problem}`);
          continue;
        }
        const topic = reader.parse(read.text, rel, ['topics', topics.length]);
        if (topic === undefined) continue;
        const id = (topic as { id?: unknown } | null)?.id;
        const stem = f.replace(/\.ya?ml$/, '');
        if (typeof id === 'string' && id !== stem) reader.problems.push(`${rel}:1 (topic ${id}): id: "${id}" must be the file's name: rename the file to ${id}.yml, or fix the id`);
        topics.push(topic);
      }
      data.topics = topics;
      continue;
    }
    if (!FILE_REF.test(ref)) {
      reader.problems.push(`${where} must name a .yml file beside knowledge.yml`);
      continue;
    }
    const read = readText(path.join(dir, ref));
    if ('problem' in read) {
      reader.problems.push(`${ref}: ${read.problem} (named by knowledge.yml, ${name})`);
      continue;
    }
    data[name] = reader.parse(read.text, ref, [name]);
  }
  return data;
}

/**
 * The help article's note as the advisor shows it: each figure the article states, compared with the policy now,
 * then the correction with figures filled in. A figure that differs makes the article outdated, whatever the
 * note said when it was written (a contradiction stays a contradiction).
 */
function articleNote(says: NonNullable<KnowledgeData['topics'][number]['articleSays']>, policy: KnowledgeData['offerPolicy']) {
  const notes = articleFigureNotes(says.figures, policy);
  const stale = notes.some((n) => !n.current);
  return {
    ...says,
    verdict: stale && says.verdict !== 'contradicted' ? ('outdated' as const) : says.verdict,
    correction: [...notes.map((n) => n.text), fillFigures(says.correction, policy)].join(' '),
  };
}

/** Fills in figures and resolves need support: the knowledge as the advisor reads it. */
function resolve(data: KnowledgeData): Knowledge {
  const policy = data.offerPolicy;
  const fill = (text: string) => fillFigures(text, policy);
  const topics = data.topics.map((t) => {
    const side = (s: typeof t.coexistence) => ({
      ...s,
      answer: fill(s.answer),
      details: fill(s.details),
      ...(s.ifOffered ? { ifOffered: { ...s.ifOffered, answer: fill(s.ifOffered.answer) } } : {}),
      ...(s.exceptions ? { exceptions: s.exceptions.map((e) => ({ ...e, answer: fill(e.answer) })) } : {}),
    });
    return {
      ...t,
      coexistence: side(t.coexistence),
      apiOnly: side(t.apiOnly),
      ...(t.articleSays ? { articleSays: articleNote(t.articleSays, policy) } : {}),
    };
  });
  const byId = new Map(topics.map((t) => [t.id, t]));
  const needs = data.needs.map((n) => {
    const topic = byId.get(n.topic)!;
    return {
      ...n,
      ...(n.apiOnlyGap ? { apiOnlyGap: { part: fill(n.apiOnlyGap.part), why: fill(n.apiOnlyGap.why) } } : {}),
      coexistence: n.narrower?.coexistence ?? topic.coexistence.status,
      apiOnly: n.narrower?.apiOnly ?? topic.apiOnly.status,
    };
  });
  const caveats = {
    coexistence: data.caveats.coexistence.map((c) => ({ ...c, text: fill(c.text) })),
    apiOnly: data.caveats.apiOnly.map((c) => ({ ...c, text: fill(c.text) })),
  };
  return { ...data, topics, needs, caveats };
}

function load(text: string, file: string | undefined): KnowledgeResult & { data?: unknown } {
  const reader = new Reader();
  const shown = file === undefined ? undefined : path.basename(file);
  const index = reader.parse(text, shown, []);
  if (index === undefined) return { ok: false, problems: reader.problems };
  const data =
    index && typeof index === 'object' && !Array.isArray(index)
      ? readParts(reader, index as Record<string, unknown>, file === undefined ? undefined : path.dirname(file))
      : index;
  // A file that cannot be read as YAML would show up again as missing topics and unknown references: fix it first.
  if (reader.syntaxErrors > 0) return { ok: false, problems: reader.problems };
  return { ...validate(data, (at, message) => reader.describe(at, message, data), reader.problems), data };
}

/** The schema and the cross-checks over data read from YAML or from the snapshot; `describe` places a problem. */
function validate(data: unknown, describe: (at: (string | number)[], message: string) => string, earlier: string[] = []): KnowledgeResult {
  const parsed = knowledgeDataSchema.safeParse(data);
  const found = [
    ...(parsed.success ? [] : parsed.error.issues.map((i): Problem => ({ path: i.path as (string | number)[], message: i.message }))),
    ...crossCheck(data),
  ];
  const located = found.filter((p) => !p.warning).map((p) => describe(p.path, p.message));
  const warnings = found.filter((p) => p.warning).map((p) => describe(p.path, p.message));
  const problems = [...earlier, ...located];
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, knowledge: resolve(parsed.data), warnings };
}

/** Reads knowledge given as text, every part inline (no files to read beside it). */
export function parseKnowledge(text: string): KnowledgeResult {
  return load(text, undefined);
}

/** Reads a knowledge file and the part files it names beside it. */
export function loadKnowledgeFile(file: string): KnowledgeResult {
  const read = readText(file);
  if ('problem' in read) return { ok: false, problems: [`${file}: ${read.problem}`] };
  const { data: _data, ...result } = load(read.text, path.resolve(file));
  return result;
}

/** A hash of every YAML file of the knowledge in `dir` (names and contents): what a snapshot was made from. */
export function knowledgeSourceHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (/\.ya?ml$/.test(entry.name)) hash.update(child).update('\0').update(readFileSync(path.join(dir, child))).update('\0');
    }
  };
  walk('');
  return hash.digest('hex');
}

interface Snapshot {
  /** knowledgeSourceHash() of the folder the data was read from. */
  source: string;
  data: unknown;
}

/**
 * Reads `file` (YAML) and writes its data, valid, to `out` as JSON with the source's hash (bin/build.js, into dist/).
 * Invalid knowledge writes nothing: the problems are returned, and the server reads (and reports) the YAML.
 */
export function writeKnowledgeSnapshot(file = BUILT_IN_KNOWLEDGE_FILE, out = KNOWLEDGE_SNAPSHOT_FILE): { ok: true } | { ok: false; problems: string[] } {
  const read = readText(file);
  if ('problem' in read) return { ok: false, problems: [`${file}: ${read.problem}`] };
  const result = load(read.text, path.resolve(file));
  if (!result.ok) return { ok: false, problems: result.problems };
  const snapshot: Snapshot = { source: knowledgeSourceHash(path.dirname(file)), data: result.data };
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, out);
  return { ok: true };
}

/** The built-in knowledge from the snapshot, validated; undefined when there is none or the YAML changed since. */
function fromSnapshot(): Knowledge | undefined {
  if (!existsSync(KNOWLEDGE_SNAPSHOT_FILE)) return undefined;
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(KNOWLEDGE_SNAPSHOT_FILE, 'utf8')) as Snapshot;
  } catch {
    return undefined;
  }
  if (snapshot.source !== knowledgeSourceHash(path.dirname(BUILT_IN_KNOWLEDGE_FILE))) return undefined;
  const result = validate(snapshot.data, (at, message) => `${formatPath(at)}: ${message}`);
  return result.ok ? result.knowledge : undefined;
}

let builtIn: Knowledge | undefined;

/**
 * The knowledge shipped with the product: from the build's snapshot when it matches the YAML (compiled), else from
 * the YAML. A broken built-in file is a developer error, caught by tests.
 */
export function builtInKnowledge(): Knowledge {
  if (!builtIn) {
    builtIn = fromSnapshot();
    if (!builtIn) {
      const result = loadKnowledgeFile(BUILT_IN_KNOWLEDGE_FILE);
      if (!result.ok) throw new Error(`Built-in knowledge is invalid:\n${result.problems.join('\n')}`);
      builtIn = result.knowledge;
    }
  }
  return builtIn;
}

/**
 * Topics whose lastVerified is older than their review interval (the topic's reviewEveryDays, else the file's),
 * relative to `today` (YYYY-MM-DD). By the files' dates alone: src/present/verification.ts adds the stored ones.
 */
export function staleTopics(knowledge: Knowledge, today: string): { id: string; lastVerified: string; days: number; every: number }[] {
  const now = Date.parse(`${today}T00:00:00Z`);
  return knowledge.topics
    .map((t) => ({ id: t.id, lastVerified: t.lastVerified, days: Math.floor((now - Date.parse(`${t.lastVerified}T00:00:00Z`)) / DAY_MS), every: t.reviewEveryDays ?? knowledge.reviewEveryDays }))
    .filter((t) => t.days > t.every);
}
