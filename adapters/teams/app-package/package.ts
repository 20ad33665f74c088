import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04, { type ValidateFunction } from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import dotenv from 'dotenv';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { COMMANDS } from '../../../src/advisor/commands.ts';
import { EXTENSION_COMMANDS } from '../cards/extension.ts';

// npm run package:teams: fills the ids, names and URLs into manifest.json (from flags or variables, packageValues()),
// validates them, the manifest and the icons, and zips the Teams app package for sideloading
// (build/coexist-advisor-teams.zip). Exit 2 with every problem listed.
//
// The manifest is validated against Microsoft's published MicrosoftTeams.schema.json for its manifestVersion, as
// the @microsoft/app-manifest package ships it (build/json-schemas/teams/v<version>/, MIT; JSON Schema draft-04),
// the schema Teams and the Developer Portal check an uploaded package against. Checked here on top: $schema names
// that same version, and the message extension's commands are the ones the bot handles (extensionProblems).

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const schemaUrl = (version: string) => `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;

const validators = new Map<string, ValidateFunction>();
/** Microsoft's schema for `version`, compiled once; undefined when no schema for that version is published. */
function microsoftSchema(version: string): ValidateFunction | undefined {
  if (!/^1\.\d+$/.test(version)) return undefined;
  let validate = validators.get(version);
  if (!validate) {
    let file: string;
    try {
      file = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
    } catch {
      return undefined;
    }
    // strict: false, as Microsoft's own validator in that package: the schemas carry keywords draft-04 lacks.
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
    ajvFormats.default(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')));
    validators.set(version, validate);
  }
  return validate;
}

/** Every way `manifest` breaks Microsoft's schema for its manifestVersion, one line each ("manifest.json /name/short: …"). */
function schemaProblems(manifest: Record<string, unknown>): string[] {
  const version = String(manifest.manifestVersion ?? '');
  const validate = microsoftSchema(version);
  if (!validate) return [`manifest.json manifestVersion: Microsoft publishes no schema for "${version}" (none in @microsoft/app-manifest); use a released version such as 1.22`];
  const problems: string[] = [];
  if (manifest.$schema !== schemaUrl(version)) problems.push(`manifest.json $schema: must be ${schemaUrl(version)}, the schema of manifestVersion ${version}`);
  if (!validate(manifest)) {
    for (const e of validate.errors ?? []) {
      const params = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
      const detail = params.additionalProperty ? `: ${params.additionalProperty}` : params.allowedValues ? `: ${params.allowedValues.join(', ')}` : '';
      problems.push(`manifest.json ${e.instancePath || '(top level)'}: ${e.message ?? 'is invalid'}${detail}`);
    }
  }
  return problems;
}

interface ExtensionCommand {
  id: string;
  type?: string;
  fetchTask?: boolean;
  context?: string[];
  parameters?: { name: string }[];
}

export interface PackageResult {
  ok: boolean;
  problems: string[];
  zip?: Buffer;
  manifest?: Record<string, unknown>;
}

function iconProblems(file: string, size: number, outline: boolean): string[] {
  if (!existsSync(file)) return [`${path.basename(file)} is missing`];
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(file));
  } catch {
    return [`${path.basename(file)} is not a valid PNG`];
  }
  const problems: string[] = [];
  if (png.width !== size || png.height !== size) problems.push(`${path.basename(file)} is ${png.width}×${png.height}; Teams needs ${size}×${size}`);
  if (outline) {
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b, a] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!];
      if (a !== 0 && (r !== 255 || g !== 255 || b !== 255)) {
        problems.push(`${path.basename(file)} must be white on transparent only`);
        break;
      }
    }
  }
  return problems;
}

/** The message extension's commands are the ones the bot answers (adapters/teams/bot.ts), each as it expects. */
function extensionProblems(manifest: Record<string, any>): string[] {
  const problems: string[] = [];
  for (const ext of (manifest.composeExtensions ?? []) as { botId: string; commands: ExtensionCommand[] }[]) {
    if (ext.botId !== manifest.bots[0]?.botId) problems.push('manifest.json composeExtensions.0.botId: must be the bot\'s id');
    const byId = new Map(ext.commands.map((c) => [c.id, c]));
    for (const c of ext.commands) if (!Object.values(EXTENSION_COMMANDS).includes(c.id as never)) problems.push(`manifest.json composeExtensions: the bot does not handle command ${c.id}`);
    const search = byId.get(EXTENSION_COMMANDS.search);
    if (search && (search.type !== 'query' || search.parameters?.length !== 1 || search.parameters[0]!.name !== 'query')) problems.push(`manifest.json composeExtensions: ${EXTENSION_COMMANDS.search} must be a query with the one parameter "query"`);
    const ask = byId.get(EXTENSION_COMMANDS.askAbout);
    if (ask && (ask.type !== 'action' || ask.fetchTask !== true || ask.context?.join() !== 'message')) problems.push(`manifest.json composeExtensions: ${EXTENSION_COMMANDS.askAbout} must be an action on messages with fetchTask`);
  }
  return problems;
}

/** What an operator sets in the package: each from a flag, else a variable (PACKAGE_OPTIONS), else manifest.json. */
export interface PackageValues {
  /** The Teams app's id (manifest `id`); default MICROSOFT_APP_ID. */
  appId?: string;
  /** The bot's id (`bots[0].botId`, the message extension's `botId`): the Azure Bot's Microsoft App ID; default MICROSOFT_APP_ID. */
  botId?: string;
  developerName?: string;
  shortName?: string;
  fullName?: string;
  websiteUrl?: string;
  privacyUrl?: string;
  termsUrl?: string;
}

/** Each value's flag and variable, and what it is, for the messages and --help. */
export const PACKAGE_OPTIONS: Record<keyof PackageValues, { flag: string; variable: string; what: string }> = {
  appId: { flag: '--app-id', variable: 'TEAMS_APP_ID', what: "the Teams app's id, a GUID (default MICROSOFT_APP_ID)" },
  botId: { flag: '--bot-id', variable: 'TEAMS_BOT_ID', what: "the Azure Bot's Microsoft App ID, a GUID (default MICROSOFT_APP_ID)" },
  developerName: { flag: '--developer-name', variable: 'TEAMS_DEVELOPER_NAME', what: 'who publishes the app, as Teams shows it (at most 32 characters)' },
  shortName: { flag: '--short-name', variable: 'TEAMS_APP_SHORT_NAME', what: "the app's name in Teams (at most 30 characters)" },
  fullName: { flag: '--full-name', variable: 'TEAMS_APP_FULL_NAME', what: "the app's full name (at most 100 characters)" },
  websiteUrl: { flag: '--website-url', variable: 'TEAMS_WEBSITE_URL', what: "an https page about the app (required)" },
  privacyUrl: { flag: '--privacy-url', variable: 'TEAMS_PRIVACY_URL', what: 'your https privacy statement (required)' },
  termsUrl: { flag: '--terms-url', variable: 'TEAMS_TERMS_URL', what: 'your https terms of use (required)' },
};

const REQUIRED_URLS = ['websiteUrl', 'privacyUrl', 'termsUrl'] as const;

/**
 * The values from `argv` (flags) and `env` (variables), flags first. Problems: an unknown flag, a flag without a value,
 * a URL that is missing or not https, an id that is not a GUID (checked again in buildPackage).
 */
export function packageValues(argv: string[], env: NodeJS.ProcessEnv): { values: PackageValues; problems: string[] } {
  const problems: string[] = [];
  const options = Object.fromEntries(Object.values(PACKAGE_OPTIONS).map((o) => [o.flag.slice(2), { type: 'string' as const }]));
  let flags: Record<string, string | boolean | undefined> = {};
  try {
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (err) {
    problems.push(`${(err as Error).message.split('\n')[0]} (flags: ${Object.values(PACKAGE_OPTIONS).map((o) => o.flag).join(', ')})`);
  }
  const values: PackageValues = {};
  for (const [key, o] of Object.entries(PACKAGE_OPTIONS) as [keyof PackageValues, (typeof PACKAGE_OPTIONS)[keyof PackageValues]][]) {
    const raw = flags[o.flag.slice(2)] ?? env[o.variable];
    const value = typeof raw === 'string' ? raw.trim() : undefined;
    if (value) values[key] = value;
  }
  const fallbackId = env.MICROSOFT_APP_ID?.trim() || undefined;
  values.appId ??= fallbackId;
  values.botId ??= fallbackId;
  for (const key of REQUIRED_URLS) {
    const o = PACKAGE_OPTIONS[key];
    const value = values[key];
    if (!value) problems.push(`${o.variable} (or ${o.flag}) is not set: ${o.what}; Teams links to it from the app's details`);
    else if (!isHttpsUrl(value)) problems.push(`${o.variable} (or ${o.flag}) must be an https URL such as https://advisor.your-company.com/privacy, not "${value.slice(0, 80)}"`);
  }
  return { values, problems };
}

function isHttpsUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && u.hostname.includes('.') && !u.username && !u.password;
  } catch {
    return false;
  }
}

/**
 * `values`: the ids, names and URLs to fill in (a string: the app id for both ids, the rest from manifest.json).
 * `template`: the manifest's text in place of manifest.json (tests of the validation).
 */
export function buildPackage(values: PackageValues | string | undefined, template = readFileSync(path.join(here, 'manifest.json'), 'utf8')): PackageResult {
  const v: PackageValues = typeof values === 'object' ? values : { appId: values, botId: values };
  const problems: string[] = [];
  const appId = v.appId;
  const named = (o: { flag: string; variable: string }) => (o.variable === 'TEAMS_APP_ID' || o.variable === 'TEAMS_BOT_ID' ? `MICROSOFT_APP_ID (or ${o.variable}, ${o.flag})` : o.variable);
  if (!appId && !v.botId) problems.push('MICROSOFT_APP_ID is not set: the package needs the Azure Bot app id (a GUID)');
  else {
    for (const key of ['appId', 'botId'] as const) {
      const o = PACKAGE_OPTIONS[key];
      const id = v[key];
      if (typeof values !== 'object' && key === 'botId') continue; // one id given: said once
      if (!id) problems.push(`${named(o)} is not set: ${o.what}`);
      else if (!GUID.test(id)) problems.push(typeof values === 'object' ? `${o.variable} (or ${o.flag}) is not a GUID: "${id.slice(0, 80)}"; ${o.what}` : 'MICROSOFT_APP_ID is not a GUID: the package needs the Azure Bot app id (a GUID)');
    }
  }
  const filled = template.replaceAll('${{MICROSOFT_APP_ID}}', appId ?? '');
  let manifest: Record<string, any>;
  try {
    manifest = JSON.parse(filled);
  } catch (err) {
    return { ok: false, problems: [...problems, `manifest.json is not valid JSON: ${(err as Error).message}`] };
  }
  // One id given (a string): the template's placeholders carry it; values given: the bot id goes where bots are named.
  if (typeof values === 'object' && v.botId) {
    for (const bot of Array.isArray(manifest.bots) ? manifest.bots : []) bot.botId = v.botId;
    for (const ext of Array.isArray(manifest.composeExtensions) ? manifest.composeExtensions : []) ext.botId = v.botId;
  }
  if (manifest.developer && typeof manifest.developer === 'object') {
    if (v.developerName) manifest.developer.name = v.developerName;
    if (v.websiteUrl) manifest.developer.websiteUrl = v.websiteUrl;
    if (v.privacyUrl) manifest.developer.privacyUrl = v.privacyUrl;
    if (v.termsUrl) manifest.developer.termsOfUseUrl = v.termsUrl;
  }
  if (manifest.name && typeof manifest.name === 'object') {
    if (v.shortName) manifest.name.short = v.shortName;
    if (v.fullName) manifest.name.full = v.fullName;
  }
  // The command menu is the router's command list (src/advisor/commands.ts): a command added there shows up here.
  for (const bot of Array.isArray(manifest.bots) ? manifest.bots : []) {
    for (const list of Array.isArray(bot?.commandLists) ? bot.commandLists : []) {
      list.commands = COMMANDS.map((c) => ({ title: c.words[0], description: c.what.charAt(0).toUpperCase() + c.what.slice(1) }));
    }
  }
  const invalid = schemaProblems(manifest);
  problems.push(...invalid);
  if (invalid.length === 0) problems.push(...extensionProblems(manifest));
  problems.push(...iconProblems(path.join(here, manifest.icons?.color ?? 'color.png'), 192, false));
  problems.push(...iconProblems(path.join(here, manifest.icons?.outline ?? 'outline.png'), 32, true));
  if (problems.length > 0) return { ok: false, problems };
  const zip = Buffer.from(
    zipSync({
      'manifest.json': new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
      [manifest.icons.color]: readFileSync(path.join(here, manifest.icons.color)),
      [manifest.icons.outline]: readFileSync(path.join(here, manifest.icons.outline)),
    }),
  );
  return { ok: true, problems: [], zip, manifest };
}

if (process.argv[1]?.endsWith('package.ts')) {
  dotenv.config({ quiet: true });
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`npm run package:teams -- [flags]: builds build/coexist-advisor-teams.zip. Each value from its flag, else its variable (.env is read):\n${Object.values(PACKAGE_OPTIONS).map((o) => `  ${o.flag.padEnd(17)} ${o.variable.padEnd(21)} ${o.what}`).join('\n')}`);
    process.exit(0);
  }
  const { values, problems } = packageValues(args, process.env);
  const result = buildPackage(values);
  if (!result.ok || problems.length > 0) {
    process.stderr.write(`The Teams app package was not built:\n${[...result.problems, ...problems].map((p) => `- ${p}`).join('\n')}\n(npm run package:teams -- --help lists the flags and variables.)\n`);
    process.exit(2);
  }
  const out = path.resolve(here, '../../../build/coexist-advisor-teams.zip');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, result.zip!);
  console.log(`✔ ${path.relative(process.cwd(), out)} (${result.zip!.length} bytes): manifest ${String(result.manifest!.manifestVersion)}, app ${String(result.manifest!.id)}, bot ${String((result.manifest!.bots as { botId: string }[])[0]?.botId)}, ${String((result.manifest!.developer as { websiteUrl: string }).websiteUrl)}. Upload it in Teams: Apps → Manage your apps → Upload an app.`);
}
