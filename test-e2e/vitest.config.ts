import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:e2e` (test-e2e/run.ts): the Teams bot in Microsoft 365 Agents Playground, driven in headless
// Chromium. Kept out of the default `npm test` (vitest.config.ts includes test/**/*.test.ts only).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test-e2e/**/*.e2e.ts'],
    // The flows share one browser page and run in order; each step waits on elements with its own bounded timeout.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
