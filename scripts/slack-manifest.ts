import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { usageHint } from '../src/advisor/commands.ts';

// `npm run slack:manifest`: writes what manifest.yml takes from the code, the slash command's usage hint (from
// COMMANDS, src/advisor/commands.ts), keeping the rest of the file as written. `--check` says whether it is current
// (test/slack/manifest.test.ts fails while it is not).

export const MANIFEST_FILE = fileURLToPath(new URL('../manifest.yml', import.meta.url));
const HINT_LINE = /^(\s*usage_hint:\s*)("[^"\n]*"|[^\n#]*?)(\s*(?:#.*)?)$/m;

/** manifest.yml's text with the usage hint made from COMMANDS. */
export function withUsageHint(text: string): string {
  if (!HINT_LINE.test(text)) throw new Error('manifest.yml has no usage_hint line under slash_commands');
  return text.replace(HINT_LINE, (_all, head: string, _old: string, tail: string) => `${head}${JSON.stringify(usageHint())}${tail}`);
}

function main(argv: string[]): number {
  const text = readFileSync(MANIFEST_FILE, 'utf8');
  const next = withUsageHint(text);
  const shown = path.relative(process.cwd(), MANIFEST_FILE);
  if (argv.includes('--check')) {
    process.stdout.write(next === text ? `${shown} is up to date.\n` : `${shown} is stale: run \`npm run slack:manifest\`.\n`);
    return next === text ? 0 : 1;
  }
  if (next !== text) writeFileSync(MANIFEST_FILE, next);
  process.stdout.write(`${shown}: usage_hint ${JSON.stringify(usageHint())}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
