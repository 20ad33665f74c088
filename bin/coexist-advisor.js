#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npm install` is all a machine needs.
import { register } from 'tsx/esm/api';

register();
await import('../adapters/cli/entry.ts');
