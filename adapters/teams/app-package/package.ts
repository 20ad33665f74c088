import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

// npm run package:teams: fills the app id into manifest.json, validates the manifest and icons, and zips the
// Teams app package for sideloading (build/coexist-advisor-teams.zip). Exit 2 with every problem listed.
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

/** `template`: the manifest's text in place of manifest.json (tests of the validation). */
export function buildPackage(appId: string | undefined, template = readFileSync(path.join(here, 'manifest.json'), 'utf8')): PackageResult {
  const problems: string[] = [];
  if (!appId) problems.push('MICROSOFT_APP_ID is not set: the package needs the Azure Bot app id (a GUID)');
  else if (!GUID.test(appId)) problems.push('MICROSOFT_APP_ID is not a GUID: the package needs the Azure Bot app id (a GUID)');
  const filled = template.replaceAll('${{MICROSOFT_APP_ID}}', appId ?? '');
  let manifest: Record<string, any>;
  try {
    manifest = JSON.parse(filled);
  } catch (err) {
    return { ok: false, problems: [...problems, `manifest.json is not valid JSON: ${(err as Error).message}`] };
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
  const result = buildPackage(process.env.MICROSOFT_APP_ID?.trim() || undefined);
  if (!result.ok) {
    process.stderr.write(`The Teams app package was not built:\n${result.problems.map((p) => `- ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  const out = path.resolve(here, '../../../build/coexist-advisor-teams.zip');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, result.zip!);
  console.log(`✔ ${path.relative(process.cwd(), out)} (${result.zip!.length} bytes): manifest ${String(result.manifest!.manifestVersion)}, bot ${String(result.manifest!.id)}. Upload it in Teams: Apps → Manage your apps → Upload an app.`);
}
