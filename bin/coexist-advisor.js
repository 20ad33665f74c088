#!/usr/bin/env node
// Runs the compiled CLI (dist/adapters/cli/entry.js). First the same check as `npm start`: data files edited since
// the last build (knowledge.yml) are copied into dist/, changed TypeScript is recompiled when TypeScript is installed.
// Without dist/ and without TypeScript, it says how to build instead of failing on a missing module.
import { ensureBuilt } from './build.js';

const code = ensureBuilt('if-stale');
if (code !== 0) process.exit(code);
await import(new URL('../dist/adapters/cli/entry.js', import.meta.url).href);
