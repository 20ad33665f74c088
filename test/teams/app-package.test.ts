import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../adapters/teams/app-package/package.ts';
import { COMMANDS, parseCommand } from '../../src/index.ts';
import { BOT_DISPLAY_NAME } from '../../adapters/identity.ts';

const APP_ID = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

describe('Teams app package', () => {
  it('zips a manifest with the app id filled in and both icons at the right sizes', () => {
    const result = buildPackage(APP_ID);
    expect(result.problems).toEqual([]);
    const files = unzipSync(new Uint8Array(result.zip!));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.name.short).toBe(BOT_DISPLAY_NAME);
    expect(manifest.bots[0].scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(PNG.sync.read(Buffer.from(files['color.png']!))).toMatchObject({ width: 192, height: 192 });
    expect(PNG.sync.read(Buffer.from(files['outline.png']!))).toMatchObject({ width: 32, height: 32 });
  });

  it('lists only commands the bot understands', () => {
    const commands = buildPackage(APP_ID).manifest!.bots as { commandLists: { commands: { title: string }[] }[] }[];
    for (const c of commands[0]!.commandLists[0]!.commands) expect(parseCommand(c.title).kind).toBe(c.title);
    // …and every command the router has: the menu is made from COMMANDS.
    expect(commands[0]!.commandLists[0]!.commands.map((c) => c.title)).toEqual(COMMANDS.map((c) => c.words[0]));
  });

  it('refuses to build without an app id, saying why, with exit code 2', () => {
    expect(buildPackage(undefined).problems[0]).toMatch(/MICROSOFT_APP_ID is not set/);
    const script = fileURLToPath(new URL('../../adapters/teams/app-package/package.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { env: { PATH: process.env.PATH ?? '', MICROSOFT_APP_ID: '' }, cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/The Teams app package was not built:\n- MICROSOFT_APP_ID is not set/);
  });
});
