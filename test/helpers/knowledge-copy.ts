import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILT_IN_KNOWLEDGE_FILE, loadKnowledgeFile, type Knowledge } from '../../src/index.ts';

// A copy of the built-in knowledge (every file under src/knowledge/) in a temporary directory, with one file edited
// as a knowledge owner would: the tests of the recheck change a figure the way a deploy would.

/** Copies the built-in knowledge into a fresh temporary directory, applies `edit` to policy.yml, returns knowledge.yml's path. */
export function knowledgeCopy(editPolicy: (text: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-knowledge-'));
  cpSync(path.dirname(BUILT_IN_KNOWLEDGE_FILE), dir, { recursive: true });
  const policy = path.join(dir, 'policy.yml');
  const before = readFileSync(policy, 'utf8');
  const after = editPolicy(before);
  if (after === before) throw new Error('the edit changed nothing in policy.yml');
  writeFileSync(policy, after);
  return path.join(dir, 'knowledge.yml');
}

/** The built-in knowledge with Co-Existence's fixed MPS raised from 20 to 25, as a file (and loaded). */
export function mps25(): { file: string; knowledge: Knowledge } {
  const file = knowledgeCopy((text) => text.replace(/^(\s*mps:\s*)20\s*$/m, '$125'));
  const loaded = loadKnowledgeFile(file);
  if (!loaded.ok) throw new Error(`the MPS 25 copy is invalid:\n${loaded.problems.join('\n')}`);
  if (loaded.knowledge.offerPolicy.coexistence.mps !== 25) throw new Error('the MPS 25 copy does not say 25');
  return { file, knowledge: loaded.knowledge };
}

/** A copy of the built-in knowledge with policy.yml edited by `edit`, as a file and loaded (a deploy's new knowledge). */
export function editedKnowledge(edit: (text: string) => string): { file: string; knowledge: Knowledge } {
  const file = knowledgeCopy(edit);
  const loaded = loadKnowledgeFile(file);
  if (!loaded.ok) throw new Error(`the edited copy is invalid:\n${loaded.problems.join('\n')}`);
  return { file, knowledge: loaded.knowledge };
}

/** Co-Existence's MPS set to `mps`, and Meta's summary reworded as `word` says: a new knowledge version, the same facts as any other copy with that MPS. */
export function mpsReworded(mps: number, word: string): { file: string; knowledge: Knowledge } {
  return editedKnowledge((text) => {
    const out = text.replace(/^(\s*mps:\s*)20\s*$/m, `$1${mps}`).replace('Meta publishes no full list.', `Meta publishes no ${word} list.`);
    if (!out.includes(`Meta publishes no ${word} list.`)) throw new Error('the summary was not reworded');
    return out;
  });
}
