import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    // In a real browser, run by `npm run test:browser` (vitest.browser.config.ts) where Chromium is installed.
    exclude: ['spec/**/*.browser.spec.ts', '**/node_modules/**'],
    setupFiles: ['spec/setup/fast-check.ts'],
    testTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // Every line and function of the rules and schedules is exercised (issue 3).
      thresholds: {
        'src/optimizers/**': { lines: 100, functions: 100 },
        'src/schedules/**': { lines: 100, functions: 100 },
      },
    },
  },
});
