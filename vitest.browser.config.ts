import { defineConfig } from 'vitest/config';

/** The browser tests (`npm run test:browser`): they need Debian's Chromium, which .ci/run installs where it can. */
export default defineConfig({
  test: {
    include: ['spec/**/*.browser.spec.ts'],
    setupFiles: ['spec/setup/fast-check.ts'],
    testTimeout: 60_000,
  },
});
