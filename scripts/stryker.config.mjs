// Mutation testing of the rules and schedules (issue 3): `npm run mutation`.
// Survivors are explained in docs/mutation.md. Paths are relative to the project root,
// where npm runs the script.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'scripts/vitest.stryker.config.ts' },
  mutate: ['src/optimizers/**/*.ts', 'src/schedules/**/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
