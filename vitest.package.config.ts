import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:package`: the packed tarball as a user gets it (spec/package-*.spec.ts): `npm pack` once,
 * `npm install --offline` of the tarball into a fresh project with npm's warnings read, the vitest binding
 * and the Python helper run from there, every path the docs name present in the package. .ci/run runs it
 * after `npm test`, which leaves it out to stay within 60 s on two cores.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['spec/package-*.spec.ts'],
    exclude: ['**/node_modules/**'],
    env: { OPTIMSPEC_PACKAGE_INSTALL: 'npm' },
  },
});
