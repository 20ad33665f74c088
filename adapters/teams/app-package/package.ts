import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { z } from 'zod';
import { COMMANDS } from '../../../src/advisor/commands.ts';
import { EXTENSION_COMMANDS } from '../cards/extension.ts';

// npm run package:teams: fills the app id into manifest.json, validates the manifest and icons, and zips the
// Teams app package for sideloading (build/coexist-advisor-teams.zip). Exit 2 with every problem listed.

const here = path.dirname(fileURLToPath(import.meta.url));
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const https = z.url({ protocol: /^https$/, error: 'must be an https URL' });

const manifestSchema = z.looseObject({
  $schema: z.string().regex(/MicrosoftTeams\.schema\.json$/),
  manifestVersion: z.string().regex(/^1\.\d+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be semantic: 1.0.0'),
  id: z.string().regex(GUID, 'must be the Azure Bot app id (a GUID)'),
  developer: z.looseObject({ name: z.string().min(1).max(32), websiteUrl: https, privacyUrl: https, termsOfUseUrl: https }),
  name: z.looseObject({ short: z.string().min(1).max(30), full: z.string().max(100) }),
  description: z.looseObject({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.looseObject({ color: z.string().endsWith('.png'), outline: z.string().endsWith('.png') }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  bots: z
    .array(
      z.looseObject({
        botId: z.string().regex(GUID),
        scopes: z.array(z.enum(['personal', 'team', 'groupChat', 'copilot'])).min(1),
        commandLists: z
          .array(
            z.looseObject({
              scopes: z.array(z.enum(['personal', 'team', 'groupChat', 'copilot'])).min(1),
              commands: z.array(z.looseObject({ title: z.string().min(1).max(32), description: z.string().min(1).max(128) })).max(10),
            }),
          )
          .max(3),
      }),
    )
    .length(1),
  // The message extension (schema 1.22 limits): served by the same bot, commands the bot handles (checked below).
  composeExtensions: z
    .array(
      z.looseObject({
        botId: z.string().regex(GUID),
        commands: z
          .array(
            z.looseObject({
              id: z.string().min(1).max(64),
              type: z.enum(['query', 'action']),
              title: z.string().min(1).max(32),
              description: z.string().min(1).max(128),
              initialRun: z.boolean().optional(),
              fetchTask: z.boolean().optional(),
              context: z.array(z.enum(['compose', 'commandBox', 'message'])).min(1),
              parameters: z
                .array(z.looseObject({ name: z.string().min(1).max(64), title: z.string().min(1).max(32), description: z.string().max(128).optional(), inputType: z.enum(['text', 'textarea', 'number', 'date', 'time', 'toggle', 'choiceset']).optional() }))
                .min(1)
                .max(5)
                .optional(),
            }),
          )
          .min(1)
          .max(10),
      }),
    )
    .max(1)
    .optional(),
  validDomains: z.array(z.string()).optional(),
});

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
function extensionProblems(manifest: z.infer<typeof manifestSchema>): string[] {
  const problems: string[] = [];
  for (const ext of manifest.composeExtensions ?? []) {
    if (ext.botId !== manifest.bots[0]?.botId) problems.push('manifest.json composeExtensions.0.botId: must be the bot\'s id');
    const byId = new Map(ext.commands.map((c) => [c.id, c]));
    for (const c of ext.commands) if (!Object.values(EXTENSION_COMMANDS).includes(c.id as never)) problems.push(`manifest.json composeExtensions: the bot does not handle command ${c.id}`);
    const search = byId.get(EXTENSION_COMMANDS.search);
    if (search && (search.type !== 'query' || search.parameters?.length !== 1 || search.parameters[0]!.name !== 'query')) problems.push(`manifest.json composeExtensions: ${EXTENSION_COMMANDS.search} must be a query with the one parameter "query"`);
    const ask = byId.get(EXTENSION_COMMANDS.askAbout);
    if (ask && (ask.type !== 'action' || ask.fetchTask !== true || ask.context.join() !== 'message')) problems.push(`manifest.json composeExtensions: ${EXTENSION_COMMANDS.askAbout} must be an action on messages with fetchTask`);
  }
  return problems;
}

/** `template`: the manifest's text in place of manifest.json (tests of the validation). */
export function buildPackage(appId: string | undefined, template = readFileSync(path.join(here, 'manifest.json'), 'utf8')): PackageResult {
  const problems: string[] = [];
  if (!appId) problems.push('MICROSOFT_APP_ID is not set: the package needs the Azure Bot app id (a GUID)');
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
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) for (const i of parsed.error.issues) problems.push(`manifest.json ${i.path.join('.')}: ${i.message}`);
  else problems.push(...extensionProblems(parsed.data));
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
