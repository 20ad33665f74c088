import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run build', () => {
  it('emits runnable JavaScript with the knowledge file beside the loader', () => {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    expect(existsSync(path.join(ROOT, 'dist/src/knowledge/knowledge.yml'))).toBe(true);
    const ask = spawnSync(process.execPath, [path.join(ROOT, 'dist/adapters/cli/entry.js'), 'ask', 'whatsapp web', '--json'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(ask.status, ask.stderr).toBe(0);
    expect(JSON.parse(ask.stdout).topic).toBe('linked-devices');
  });
});
