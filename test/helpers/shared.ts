import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// The product's shared material (help article, public eval sets) lives in ../shared beside the repository,
// as on every developer machine and in CI. SHARED_DIR overrides that for other layouts.
const root = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED_DIR = process.env.SHARED_DIR ?? path.resolve(root, '../shared');

export function sharedText(relative: string): string {
  const file = path.join(SHARED_DIR, relative);
  if (!existsSync(file)) throw new Error(`${file} not found: tests need ../shared beside the repository (or SHARED_DIR)`);
  return readFileSync(file, 'utf8');
}

export function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export const REPO_ROOT = root;
