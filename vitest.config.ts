import { defineConfig } from 'vitest/config';
import SlowFirst from './test/slow-first.ts';

// The suite in two groups, one after the other:
// 1. every file but one, three at a time. Most of the suite's time is spent waiting (on child processes, timeouts,
//    deadlines, sockets), not computing: run one file at a time (vitest's default on 2 cores: cores - 1) it took
//    about 2 min here, with the CPU idle half of that.
// 2. the kill -9 durability test, alone: it keeps both cores busy on purpose, which would starve the timing checks
//    of any file running beside it.
// Test files in one worker share loaded modules (Bolt, botbuilder, the knowledge): each suite starts its own
// product on its own port and store, so nothing a test can see is shared, and a file does not load the SDKs again.
const STARVES_THE_CPU = ['test/store/durability.test.ts'];

export default defineConfig({
  test: {
    // Names this run's PostgreSQL test schemas and drops them when every file has finished.
    globalSetup: ['test/global-setup.ts'],
    sequence: { sequencer: SlowFirst },
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: STARVES_THE_CPU, maxWorkers: 3, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'busy cores', include: STARVES_THE_CPU, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
