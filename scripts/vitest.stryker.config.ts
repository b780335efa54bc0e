import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The fast spec files that exercise the rules and schedules, for StrykerJS
// (scripts/stryker.config.mjs): a fixed OPTIMSPEC_SEED makes the property laws deterministic,
// so a mutant's outcome does not depend on the run.
export default defineConfig({
  // The project root (this file's parent folder), in the checkout or in Stryker's sandbox copy.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: [
      'spec/laws.spec.ts',
      'spec/law-bugs.spec.ts',
      'spec/oracle-bignumber.spec.ts',
      'spec/oracle-closed-forms.spec.ts',
      'spec/golden.spec.ts',
      'spec/validation.spec.ts',
      // The SIMD kernels against the TypeScript rules (both loops of src/optimizers/instance.ts).
      'spec/kernels.spec.ts',
    ],
    setupFiles: ['spec/setup/fast-check.ts'],
    testTimeout: 60_000,
    env: { OPTIMSPEC_SEED: '20261125' },
  },
});
