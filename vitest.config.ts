import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { hangGuard } from './spec/support/slowdown.js';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    // In a real browser, run by `npm run test:browser` (vitest.browser.config.ts) where Chromium is installed.
    // The packed tarball installed into a user's project, by `npm run test:package` (vitest.package.config.ts):
    // npm pack, npm install and a vitest of its own cost a third of this suite's CPU (30 of 190 s).
    // Third-party libraries' full checks (TF.js, deeplearn.js, convnetjs, toygrad, brain.js), by
    // `npm run test:libraries` (vitest.libraries.config.ts): 22 s of this suite's CPU.
    exclude: ['spec/**/*.browser.spec.ts', 'spec/package-*.spec.ts', 'spec/**/*.library.spec.ts', '**/node_modules/**'],
    setupFiles: ['spec/setup/fast-check.ts'],
    // Compiles src/ once per run for the CLI processes and adapter workers that spec files start (spec/support/built.ts).
    globalSetup: ['spec/setup/build.ts'],
    // That copy is plain JavaScript: Node imports it natively rather than through vite's transform.
    server: { deps: { external: [/\/optimspec-build-[^/]+\//] } },
    // Worker threads rather than child processes (vitest's default): the same suite took 152 s of CPU
    // against 190 s in forks, measured side by side on this 2-core machine.
    pool: 'threads',
    // At least two workers: vitest's default (cores - 1) runs one file at a time on two
    // cores, and many files wait on child processes and timeouts (measured: 88 s -> 60 s).
    maxWorkers: Math.max(2, availableParallelism()),
    // A worker keeps the modules it imported from one test file to the next (measured:
    // 60 s -> 44 s, the import of src/ was a fifth of the CPU). No test depends on a fresh
    // module: state a test plants (the shared-state bug, a kernel policy, a spy) is reset
    // by that test, and the files pass in any order (`npx vitest run --sequence.shuffle.files`).
    isolate: false,
    // Guards against a hang, scaled by the machine's load as the run starts (spec/support/slowdown.ts):
    // 60 s idle, 5 minutes on two cores at load 10.
    testTimeout: hangGuard(60_000),
    hookTimeout: hangGuard(60_000),
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
