import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { EDITOR_SCHEMAS } from '../src/knowledge/schema.ts';

// npm run knowledge:schema: writes src/knowledge/json-schema/*.json from the zod schemas in src/knowledge/schema.ts,
// so an editor (the YAML language server in VS Code and others) checks each knowledge file while it is typed. Every
// knowledge file names its schema on its first line. A test fails when the committed files are stale.

export const SCHEMA_DIR = fileURLToPath(new URL('../src/knowledge/json-schema/', import.meta.url));

/** Each JSON Schema file's name and text, as generated now. */
export function editorSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, schema] of Object.entries(EDITOR_SCHEMAS)) {
    // `input`: what a person writes in the file (defaults and transforms not applied yet).
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    out[file] = `${JSON.stringify({ ...json, title: `coexist-advisor knowledge: ${file.replace('.schema.json', '')}` }, null, 2)}\n`;
  }
  return out;
}

/** Files whose committed text differs from what the schema generates now. */
export function staleSchemas(): string[] {
  return Object.entries(editorSchemas())
    .filter(([file, text]) => {
      try {
        return readFileSync(path.join(SCHEMA_DIR, file), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([file]) => file);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [file, text] of Object.entries(editorSchemas())) writeFileSync(path.join(SCHEMA_DIR, file), text);
  console.log(`wrote ${Object.keys(EDITOR_SCHEMAS).length} JSON Schemas to ${path.relative(process.cwd(), SCHEMA_DIR)}`);
}
