import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { crossCheck, knowledgeSchema, type Knowledge } from './schema.ts';

export type KnowledgeResult = { ok: true; knowledge: Knowledge } | { ok: false; problems: string[] };

export const BUILT_IN_KNOWLEDGE_FILE = fileURLToPath(new URL('./knowledge.yml', import.meta.url));

/** `['topics', 3, 'sources', 0, 'url']` → `topics[3].sources[0].url` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(file)';
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/**
 * Parses and validates knowledge text. Every problem is reported at once, each with its place in the file;
 * nothing is returned unless all of it is valid, so a broken file never half-loads.
 */
export function parseKnowledge(text: string): KnowledgeResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : 'YAML';
        return `${where}: ${e.message.split('\n')[0]}`;
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    return { ok: false, problems: [`YAML: ${(err as Error).message}`] };
  }
  const parsed = knowledgeSchema.safeParse(data);
  const problems = [
    ...(parsed.success ? [] : formatIssues(parsed.error.issues)),
    ...crossCheck(data).map((p) => `${formatPath(p.path)}: ${p.message}`),
  ];
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, knowledge: parsed.data };
}

export function loadKnowledgeFile(file: string): KnowledgeResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (code ?? 'cannot be read');
    return { ok: false, problems: [`${file}: ${why}`] };
  }
  return parseKnowledge(text);
}

let builtIn: Knowledge | undefined;

/** The knowledge file shipped with the product. A broken built-in file is a developer error, caught by tests. */
export function builtInKnowledge(): Knowledge {
  if (!builtIn) {
    const result = loadKnowledgeFile(BUILT_IN_KNOWLEDGE_FILE);
    if (!result.ok) throw new Error(`Built-in knowledge is invalid:\n${result.problems.join('\n')}`);
    builtIn = result.knowledge;
  }
  return builtIn;
}

/** Topics whose lastVerified is older than the file's reviewEveryDays, relative to `today` (YYYY-MM-DD). */
export function staleTopics(knowledge: Knowledge, today: string): { id: string; lastVerified: string; days: number }[] {
  const now = Date.parse(`${today}T00:00:00Z`);
  return knowledge.topics
    .map((t) => ({ id: t.id, lastVerified: t.lastVerified, days: Math.floor((now - Date.parse(`${t.lastVerified}T00:00:00Z`)) / 86_400_000) }))
    .filter((t) => t.days > knowledge.reviewEveryDays);
}
