import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';
import { slackManifestProblems } from '../../adapters/slack/manifest-schema.ts';
import { fixtureText } from '../helpers/fixtures.ts';
import { CALLBACKS, SHORTCUT_NAMES } from '../../adapters/slack/blocks/common.ts';
import { COMMAND } from '../../adapters/slack/blocks/common.ts';
import { BOT_DISPLAY_NAME } from '../../adapters/identity.ts';
import { COMMANDS, REQUIREMENT_FIELDS, usageHint } from '../../src/index.ts';
import { withUsageHint } from '../../scripts/slack-manifest.ts';

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));

describe('manifest.yml', () => {
  it('declares the command, the shortcut and the events the code listens for', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([COMMAND]);
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'global', callback_id: CALLBACKS.shortcut, name: SHORTCUT_NAMES.recommend }),
      expect.objectContaining({ type: 'message', callback_id: CALLBACKS.askShortcut, name: SHORTCUT_NAMES.ask }),
    ]);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'app_mention', 'function_executed', 'message.channels', 'message.groups', 'message.im']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.bot_user.display_name).toBe(BOT_DISPLAY_NAME);
  });

  it("the slash command's usage hint names every command word (a new command shows up in Slack's autocomplete)", () => {
    const hint: string = manifest.features.slash_commands[0].usage_hint;
    for (const c of COMMANDS) expect(hint.split(' | ').map((part) => part.split(' ')[0])).toContain(c.words[0]);
    expect(hint, 'manifest.yml is stale: run `npm run slack:manifest`').toBe(usageHint());
  });

  it('npm run slack:manifest writes the usage hint from COMMANDS and leaves the rest of the file as it was', () => {
    const text = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
    const stale = text.replace(/usage_hint: .*/, 'usage_hint: "[question] | help"  # kept');
    const written = withUsageHint(stale);
    expect(written.split('\n').filter((l, i) => l !== stale.split('\n')[i])).toEqual([`      usage_hint: ${JSON.stringify(usageHint())}  # kept`]);
  });

  it('declares the Workflow Builder step with the requirement fields as inputs', () => {
    expect(Object.keys(manifest.functions)).toEqual([CALLBACKS.recommendStep]);
    const step = manifest.functions[CALLBACKS.recommendStep];
    expect(Object.keys(step.input_parameters.properties)).toEqual([...REQUIREMENT_FIELDS]);
    expect(step.input_parameters.required).toEqual(['country']);
    expect(step.input_parameters.properties.needs).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(Object.keys(step.output_parameters.properties)).toEqual(['setup', 'confidence', 'summary']);
    expect(manifest.settings.org_deploy_enabled).toBe(true);
    expect(manifest.settings.function_runtime).toBe('remote');
  });

  it('asks only for the scopes the app uses', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['app_mentions:read', 'channels:history', 'channels:read', 'chat:write', 'chat:write.public', 'commands', 'groups:history', 'groups:read', 'im:history']);
  });

  it('sends every request to /slack/events', () => {
    const urls = [manifest.features.slash_commands[0].url, manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url];
    for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('fits Slack manifest limits on names', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    expect(manifest.features.slash_commands[0].description.length).toBeLessThanOrEqual(100);
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(175);
  });
});

// Slack's own rules for a manifest (issue 23): what "Create New App → From a manifest" refuses, `npm test` refuses.
// slackManifestProblems is our encoding of them (adapters/slack/manifest-schema.ts); Slack's published JSON schema
// (test/fixtures/slack-manifest-schema/, MIT) is the cross-check that our encoding is not looser than Slack's.
describe("manifest.yml against Slack's rules", () => {
  const addFormats = ajvFormats.default; // a CommonJS module: its plugin is also its default export
  const copy = (): Record<string, any> => structuredClone(manifest);
  const slackSchemas = new Map<number, ValidateFunction>();
  /** Slack's published schema for the manifest's version (as its manifest.schema.json picks: version 1 when _metadata has none). */
  function slackSchemaErrors(m: Record<string, any>): string[] {
    const version = m._metadata?.major_version === 2 ? 2 : 1;
    let validate = slackSchemas.get(version);
    if (!validate) {
      const ajv = new Ajv({ allErrors: true, strict: false });
      addFormats(ajv);
      validate = ajv.compile(JSON.parse(fixtureText(`slack-manifest-schema/manifest.schema.${version}.0.0.json`)));
      slackSchemas.set(version, validate);
    }
    return validate(m) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  }
  const at = (m: Record<string, any>, path: (string | number)[], value: unknown) => {
    let node = m;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path.at(-1)!] = value;
    return m;
  };

  it('passes our encoding of Slack’s manifest rules', () => {
    expect(slackManifestProblems(manifest)).toEqual([]);
  });

  it('passes Slack’s own published schema for the version it declares', () => {
    expect(slackSchemaErrors(manifest)).toEqual([]);
  });

  // Each limit at its edge: the limit passes, one more character is refused, by us and by Slack's schema alike.
  const edges: { path: (string | number)[]; max?: number; min?: number }[] = [
    { path: ['features', 'shortcuts', 0, 'name'], max: 24 },
    { path: ['features', 'shortcuts', 1, 'name'], max: 24 },
    { path: ['features', 'shortcuts', 0, 'description'], max: 150 },
    { path: ['display_information', 'name'], max: 35 },
    { path: ['display_information', 'description'], max: 140 },
    { path: ['display_information', 'long_description'], min: 175, max: 4000 },
    { path: ['features', 'bot_user', 'display_name'], max: 80 },
    { path: ['features', 'slash_commands', 0, 'usage_hint'], max: 1000 },
    { path: ['features', 'slash_commands', 0, 'description'], max: 2000 },
  ];
  for (const { path, max, min } of edges) {
    it(`${path.join('.')}: ${min ? `${min} to ` : 'up to '}${max} characters`, () => {
      const named = path.join('.');
      expect(slackManifestProblems(at(copy(), path, 'x'.repeat(max!)))).toEqual([]);
      expect(slackSchemaErrors(at(copy(), path, 'x'.repeat(max!)))).toEqual([]);
      expect(slackManifestProblems(at(copy(), path, 'x'.repeat(max! + 1)))).toEqual([`${named}: Slack allows at most ${max} characters`]);
      expect(slackSchemaErrors(at(copy(), path, 'x'.repeat(max! + 1)))).not.toEqual([]);
      if (min) {
        expect(slackManifestProblems(at(copy(), path, 'x'.repeat(min)))).toEqual([]);
        expect(slackManifestProblems(at(copy(), path, 'x'.repeat(min - 1)))).toEqual([`${named}: must have at least ${min} characters`]);
        expect(slackSchemaErrors(at(copy(), path, 'x'.repeat(min - 1)))).not.toEqual([]);
      }
    });
  }

  it('the slash command starts with / and has at most 32 characters', () => {
    const path = ['features', 'slash_commands', 0, 'command'];
    expect(slackManifestProblems(at(copy(), path, `/${'x'.repeat(31)}`))).toEqual([]);
    expect(slackManifestProblems(at(copy(), path, `/${'x'.repeat(32)}`))).toEqual(['features.slash_commands.0.command: Slack allows at most 32 characters']);
    expect(slackManifestProblems(at(copy(), path, 'coexist-vs-api'))).toEqual(['features.slash_commands.0.command: must start with /']);
  });

  it('a shortcut is global or message, and at most 10 are declared', () => {
    expect(slackManifestProblems(at(copy(), ['features', 'shortcuts', 0, 'type'], 'channel'))[0]).toMatch(/^features\.shortcuts\.0\.type: /);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `Shortcut ${i}`, type: 'global', callback_id: `s${i}`, description: 'x' }));
    expect(slackManifestProblems(at(copy(), ['features', 'shortcuts'], eleven))).toEqual(['features.shortcuts: Slack allows at most 10 shortcuts']);
    expect(slackSchemaErrors(at(copy(), ['features', 'shortcuts'], eleven))).not.toEqual([]);
  });

  it('refuses a misspelt key, as Slack does, instead of ignoring it', () => {
    const m = copy();
    m.features.shortcut = m.features.shortcuts;
    expect(slackManifestProblems(m)).toEqual([expect.stringMatching(/^features: .*shortcut/)]);
    expect(slackSchemaErrors(m)).not.toEqual([]);
  });

  it('the step’s parameters in the properties + required shape need _metadata.major_version: 2 (Slack reads no _metadata as version 1)', () => {
    const m = copy();
    delete m._metadata;
    expect(slackManifestProblems(m)).toEqual([
      'functions.recommend_setup.input_parameters: uses the version 2 shape (properties + required) but the manifest is version 1: add _metadata: {major_version: 2} (Slack reads a manifest without _metadata as version 1)',
      'functions.recommend_setup.output_parameters: uses the version 2 shape (properties + required) but the manifest is version 1: add _metadata: {major_version: 2} (Slack reads a manifest without _metadata as version 1)',
    ]);
    // Slack's schema refuses it too: read as version 1, "properties" and "required" would be two parameters.
    expect(slackSchemaErrors(m)).not.toEqual([]);
  });

  it('a step’s required list names only parameters it declares, and each parameter has a Slack type', () => {
    const m = copy();
    m.functions.recommend_setup.input_parameters.required = ['country', 'contry'];
    m.functions.recommend_setup.output_parameters.properties.setup.type = 'text';
    expect(slackManifestProblems(m)).toEqual([
      'functions.recommend_setup.input_parameters.required.1: names "contry", which is not in properties',
      'functions.recommend_setup.output_parameters.properties.setup.type: must be one of string, integer, number, boolean, object, array or a Slack type (slack#/types/…)',
    ]);
  });

  it('a step needs an org-ready app that runs its steps and hears function_executed', () => {
    const m = copy();
    m.settings.org_deploy_enabled = false;
    delete m.settings.function_runtime;
    m.settings.event_subscriptions.bot_events = m.settings.event_subscriptions.bot_events.filter((e: string) => e !== 'function_executed');
    expect(slackManifestProblems(m)).toEqual([
      'settings.org_deploy_enabled: must be true: Slack accepts custom steps (functions) only in org-ready apps',
      'settings.function_runtime: must be remote: the steps run in this app, not on Slack',
      'settings.event_subscriptions.bot_events: must include function_executed, or the steps never reach the app',
    ]);
  });

  it('a message event needs the scope that reads its conversations (the experts\' channel threads)', () => {
    const m = copy();
    m.oauth_config.scopes.bot = m.oauth_config.scopes.bot.filter((s: string) => s !== 'channels:history' && s !== 'groups:history');
    expect(slackManifestProblems(m)).toEqual([
      'oauth_config.scopes.bot: must include channels:history: the bot event message.channels needs it',
      'oauth_config.scopes.bot: must include groups:history: the bot event message.groups needs it',
    ]);
  });
});
