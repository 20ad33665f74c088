import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CALLBACKS } from '../../adapters/slack/blocks/common.ts';
import { COMMAND } from '../../adapters/slack/blocks/common.ts';
import { BOT_DISPLAY_NAME } from '../../adapters/identity.ts';
import { COMMANDS, REQUIREMENT_FIELDS } from '../../src/index.ts';

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));

describe('manifest.yml', () => {
  it('declares the command, the shortcut and the events the code listens for', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([COMMAND]);
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'global', callback_id: CALLBACKS.shortcut }),
      expect.objectContaining({ type: 'message', callback_id: CALLBACKS.askShortcut }),
    ]);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'app_mention', 'function_executed', 'message.im']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.bot_user.display_name).toBe(BOT_DISPLAY_NAME);
  });

  it("the slash command's usage hint names every command word (a new command shows up in Slack's autocomplete)", () => {
    const hint: string = manifest.features.slash_commands[0].usage_hint;
    for (const c of COMMANDS) expect(hint.split(' | ').map((part) => part.split(' ')[0])).toContain(c.words[0]);
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
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['app_mentions:read', 'channels:read', 'chat:write', 'chat:write.public', 'commands', 'groups:read', 'im:history']);
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
