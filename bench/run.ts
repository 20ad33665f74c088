import { benchCore, printCore } from './core.ts';

// npm run bench: every benchmark, side by side in one run, loopback only.
printCore(benchCore());
