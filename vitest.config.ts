import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Names this run's PostgreSQL test schemas and drops them when every file has finished.
    globalSetup: ['test/global-setup.ts'],
    // Test files in one worker share loaded modules (Bolt, botbuilder, the knowledge): each suite starts its own
    // product on its own port and store, so nothing a test can see is shared, and the suite runs in about 40% of the
    // time it takes when every file loads the SDKs again (14 s against 37 s here, 2 cores).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
