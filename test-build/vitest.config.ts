import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:build`, run by CI (.ci/run) after `npm test`: builds dist/ with `npm run build` and runs the compiled
// product, its writer thread and the real CLI binary. Kept out of `npm test`: the build alone takes about 16 s here,
// and nothing in `npm test` may depend on what a build leaves behind.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test-build/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
