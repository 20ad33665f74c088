import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { buildPackage, packageValues } from '../../adapters/teams/app-package/package.ts';
import { COMMANDS, parseCommand } from '../../src/index.ts';
import { BOT_DISPLAY_NAME } from '../../adapters/identity.ts';

const APP_ID = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const TEMPLATE = readFileSync(new URL('../../adapters/teams/app-package/manifest.json', import.meta.url), 'utf8');
/** The template as JSON, changed by `edit`, as text again: buildPackage's `template`. */
function editedTemplate(edit: (m: Record<string, any>) => void): string {
  const m = JSON.parse(TEMPLATE);
  edit(m);
  return JSON.stringify(m);
}

/**
 * Microsoft's published MicrosoftTeams.schema.json for `version`, as shipped in @microsoft/app-manifest, compiled here
 * on its own (not through package.ts), so the built package is checked by something it does not share code with.
 */
function microsoftSchemaErrors(manifest: Record<string, any>): string[] {
  const file = createRequire(import.meta.url).resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')));
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

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
    // Ask an expert: the experts' replies in a channel thread reach the bot without an @mention (RSC), for this app id.
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([{ name: 'ChannelMessage.Read.Group', type: 'Application' }]);
    expect(manifest.webApplicationInfo.id).toBe(APP_ID);
    expect(PNG.sync.read(Buffer.from(files['color.png']!))).toMatchObject({ width: 192, height: 192 });
    expect(PNG.sync.read(Buffer.from(files['outline.png']!))).toMatchObject({ width: 32, height: 32 });
  });

  it('lists only commands the bot understands', () => {
    const commands = buildPackage(APP_ID).manifest!.bots as { commandLists: { commands: { title: string }[] }[] }[];
    // Each title, typed, is its command (a word may reuse another command's reply, as 'comparison' does).
    const kindOf = new Map(COMMANDS.map((c) => [c.words[0], c.kind]));
    for (const c of commands[0]!.commandLists[0]!.commands) expect(parseCommand(c.title).kind).toBe(kindOf.get(c.title));
    // …and every command the router has: the menu is made from COMMANDS.
    expect(commands[0]!.commandLists[0]!.commands.map((c) => c.title)).toEqual(COMMANDS.map((c) => c.words[0]));
  });

  it("the built package's manifest passes Microsoft's published schema for its manifestVersion, named by its $schema", () => {
    const result = buildPackage(APP_ID);
    expect(result.problems).toEqual([]);
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(result.zip!))['manifest.json']));
    expect(microsoftSchemaErrors(manifest)).toEqual([]);
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
  });

  it("refuses a package that breaks Microsoft's schema, saying where: a short name of 31 characters (30 is the limit)", () => {
    expect(buildPackage(APP_ID, editedTemplate((m) => (m.name.short = 'x'.repeat(30)))).problems).toEqual([]);
    const result = buildPackage(APP_ID, editedTemplate((m) => (m.name.short = 'x'.repeat(31))));
    expect(result.ok).toBe(false);
    expect(result.zip).toBeUndefined();
    expect(result.problems).toEqual(['manifest.json /name/short: must NOT have more than 30 characters']);
  });

  it("refuses a field Microsoft's schema does not know, and a value outside its lists", () => {
    expect(buildPackage(APP_ID, editedTemplate((m) => (m.accentColour = '#0B5D3B'))).problems).toEqual(['manifest.json (top level): must NOT have additional properties: accentColour']);
    expect(buildPackage(APP_ID, editedTemplate((m) => (m.bots[0].scopes = ['personal', 'channel']))).problems).toEqual([
      'manifest.json /bots/0/scopes/1: must be equal to one of the allowed values: team, personal, groupChat, copilot',
    ]);
  });

  it('refuses a manifestVersion Microsoft publishes no schema for, and a $schema that names another version', () => {
    expect(buildPackage(APP_ID, editedTemplate((m) => (m.manifestVersion = '1.99'))).problems).toEqual([
      expect.stringMatching(/^manifest\.json manifestVersion: Microsoft publishes no schema for "1\.99"/),
    ]);
    expect(buildPackage(APP_ID, editedTemplate((m) => (m.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.21/MicrosoftTeams.schema.json'))).problems).toEqual([
      'manifest.json $schema: must be https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json, the schema of manifestVersion 1.22',
    ]);
  });

  it('refuses to build without an app id, saying why, with exit code 2', () => {
    expect(buildPackage(undefined).problems[0]).toMatch(/MICROSOFT_APP_ID is not set/);
    expect(buildPackage('not-a-guid').problems[0]).toBe('MICROSOFT_APP_ID is not a GUID: the package needs the Azure Bot app id (a GUID)');
    const script = fileURLToPath(new URL('../../adapters/teams/app-package/package.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { env: { PATH: process.env.PATH ?? '', MICROSOFT_APP_ID: '' }, cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/The Teams app package was not built:\n- MICROSOFT_APP_ID is not set/);
  });

  it('takes the ids, names and URLs from flags or variables (flags first) and puts them where Teams reads them', () => {
    const BOT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const { values, problems } = packageValues(
      ['--bot-id', BOT_ID, '--website-url', 'https://advisor.acme-bsp.com', '--short-name', 'Acme Advisor'],
      { MICROSOFT_APP_ID: APP_ID, TEAMS_PRIVACY_URL: 'https://acme-bsp.com/privacy', TEAMS_TERMS_URL: 'https://acme-bsp.com/terms', TEAMS_WEBSITE_URL: 'https://ignored.acme-bsp.com', TEAMS_DEVELOPER_NAME: 'Acme BSP' },
    );
    expect(problems).toEqual([]);
    const result = buildPackage(values);
    expect(result.problems).toEqual([]);
    const m = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(result.zip!))['manifest.json']!));
    expect(m.id).toBe(APP_ID);
    expect(m.bots[0].botId).toBe(BOT_ID);
    expect(m.composeExtensions[0].botId).toBe(BOT_ID);
    expect(m.developer).toEqual({ name: 'Acme BSP', websiteUrl: 'https://advisor.acme-bsp.com', privacyUrl: 'https://acme-bsp.com/privacy', termsOfUseUrl: 'https://acme-bsp.com/terms' });
    expect(m.name.short).toBe('Acme Advisor');
    expect(JSON.stringify(m)).not.toContain('example.com');
    expect(microsoftSchemaErrors(m)).toEqual([]);
  });

  it('refuses a URL that is missing or not https, an id that is not a GUID, and an unknown flag: exit 2, each named', () => {
    const script = fileURLToPath(new URL('../../adapters/teams/app-package/package.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--bot-id', 'my-bot', '--website-url', 'http://advisor.acme-bsp.com'], {
      env: { PATH: process.env.PATH ?? '', MICROSOFT_APP_ID: APP_ID, TEAMS_TERMS_URL: 'https://acme-bsp.com/terms' },
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('- TEAMS_BOT_ID (or --bot-id) is not a GUID: "my-bot"');
    expect(run.stderr).toContain('- TEAMS_WEBSITE_URL (or --website-url) must be an https URL such as https://advisor.your-company.com/privacy, not "http://advisor.acme-bsp.com"');
    expect(run.stderr).toContain('- TEAMS_PRIVACY_URL (or --privacy-url) is not set');
    expect(run.stderr).not.toContain('TEAMS_TERMS_URL');
    expect(packageValues(['--colour', 'green'], {}).problems[0]).toMatch(/Unknown option '--colour'/);
  });
});
