import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Starts the longest files first, so the last minutes are not one long file running alone while the other workers
// idle. vitest does this itself from the durations it cached on an earlier run; a fresh clone has no cache, and
// vitest then starts the largest files first, which are not the slow ones. The slow ones here wait on child
// processes and timers (durations from a run on 2 cores, 2026-12-07).
const SLOW_FIRST = [
  'test/slack/replicas-at-start.test.ts', // 20 starts of two replicas, on SQLite and PostgreSQL
  'test/host/limits.test.ts', // a body dripped at 1 byte a second until the default 10 s timeout
  'test/store/full-disk.test.ts',
  'test/store/partition.test.ts',
  'test/store/store.test.ts',
  'test/store/store-startup.test.ts',
  'test/store/recording.e2e.test.ts',
  'test/host/host.test.ts',
];

export default class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    // Stable: within a group, the listed files first, in this order; the rest as vitest ordered them.
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => a.f.project.config.sequence.groupOrder - b.f.project.config.sequence.groupOrder || rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
