import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Imports point down only. From the bottom:
//   0  src/                         the core: knowledge, matching, advisor, present
//   1  adapters/*.ts                what every adapter shares: configuration, HTTP helpers, what buttons carry,
//                                   plain-text rendering, request kinds (each imports only the core and each other)
//   2  adapters/store/              the store
//   3  adapters/slack/, teams/, cli/  the faces: each imports what is below it, never another face
//   4  adapters/host/               the process: starts the faces and the store
// Type-only imports count: a type from above is a dependency on above all the same.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Place {
  layer: number;
  /** Modules of one group may import each other; another group on the same layer may not be imported. */
  group: string;
}

export function placeOf(file: string): Place | undefined {
  const parts = file.split(path.sep).join('/').split('/');
  if (parts[0] === 'src') return { layer: 0, group: 'core' };
  if (parts[0] !== 'adapters') return undefined;
  if (parts.length === 2) return { layer: 1, group: 'shared' };
  const dir = parts[1]!;
  if (dir === 'store') return { layer: 2, group: 'store' };
  if (dir === 'slack' || dir === 'teams' || dir === 'cli') return { layer: 3, group: dir };
  if (dir === 'host') return { layer: 4, group: 'host' };
  return { layer: Number.POSITIVE_INFINITY, group: dir }; // a new folder: say where it belongs (this test fails)
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Every module a source file imports: static, type-only, side-effect and dynamic imports, and re-exports. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|[\s;])(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    found.push((m[1] ?? m[2] ?? m[3])!);
  }
  return found;
}

/** Imports that run back up, or across to another face, as "from → to" lines. */
export function wrongWay(files: string[], read: (file: string) => string): string[] {
  const wrong: string[] = [];
  for (const file of files) {
    const from = placeOf(file)!;
    for (const spec of importsOf(read(file))) {
      if (!spec.startsWith('.')) continue;
      const target = path.normalize(path.join(path.dirname(file), spec));
      const to = placeOf(target);
      if (!to) {
        wrong.push(`${file} → ${target} (outside src/ and adapters/)`);
        continue;
      }
      if (from.layer === Number.POSITIVE_INFINITY || to.layer === Number.POSITIVE_INFINITY) wrong.push(`${file} → ${target} (a folder with no layer: add it to import-direction.test.ts)`);
      else if (to.layer > from.layer) wrong.push(`${file} → ${target} (up: ${from.group} imports ${to.group})`);
      else if (to.layer === from.layer && to.group !== from.group) wrong.push(`${file} → ${target} (across: ${from.group} imports ${to.group})`);
    }
  }
  return wrong;
}

/** Packages the core must not use (no SDK, logger, HTTP or store), and where the Teams SDK may be used. */
export function wrongPackages(files: string[], read: (file: string) => string): string[] {
  const wrong: string[] = [];
  const outOfCore = /^(@slack\/|botbuilder|botframework-|pino|pg$|libsql|kysely|prom-client|express|node:(http|https|net|worker_threads))/;
  for (const file of files) {
    const place = placeOf(file)!;
    for (const spec of importsOf(read(file))) {
      if (spec.startsWith('.')) continue;
      if (place.layer === 0 && outOfCore.test(spec)) wrong.push(`${file} → ${spec} (the core imports no SDK, logger, HTTP or store)`);
      if (/^(botbuilder|botframework-)/.test(spec) && place.group !== 'teams') wrong.push(`${file} → ${spec} (botbuilder stays inside adapters/teams/)`);
    }
  }
  return wrong;
}

const files = [...sourceFiles('src'), ...sourceFiles('adapters')];
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('imports point down only', () => {
  it('no module imports one above it, or another face', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(wrongWay(files, read)).toEqual([]);
  });

  it('the core uses no SDK, logger, HTTP or store; botbuilder only in adapters/teams/', () => {
    expect(wrongPackages(files, read)).toEqual([]);
  });

  it('finds every kind of import it is there to catch', () => {
    const sources: Record<string, string> = {
      'adapters/store/store.ts': "import type { StoreConfig } from '../host/config.ts';",
      'adapters/slack/listeners/workflow.ts': "import { formatReply } from '../../cli/terminal.ts';",
      'adapters/teams/face.ts': "const { x } = await import('../host/server.ts');",
      'adapters/config.ts': "export { STORE_FILE_NAME } from './store/store-file.ts';",
      'src/present/router.ts': "import '../../adapters/slack/app.ts';",
      'adapters/host/start.ts': "import { StoreService } from '../store/service.ts';\nimport { createSlackFace } from '../slack/app.ts';",
    };
    expect(wrongWay(Object.keys(sources), (f) => sources[f]!)).toEqual([
      'adapters/store/store.ts → adapters/host/config.ts (up: store imports host)',
      'adapters/slack/listeners/workflow.ts → adapters/cli/terminal.ts (across: slack imports cli)',
      'adapters/teams/face.ts → adapters/host/server.ts (up: teams imports host)',
      'adapters/config.ts → adapters/store/store-file.ts (up: shared imports store)',
      'src/present/router.ts → adapters/slack/app.ts (up: core imports slack)',
    ]);
    expect(wrongPackages(['src/x.ts', 'adapters/slack/y.ts'], (f) => (f === 'src/x.ts' ? "import pino from 'pino';" : "import { CloudAdapter } from 'botbuilder';"))).toEqual([
      'src/x.ts → pino (the core imports no SDK, logger, HTTP or store)',
      'adapters/slack/y.ts → botbuilder (botbuilder stays inside adapters/teams/)',
    ]);
  });
});
