import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { HostModule } from './host-protocol.js';

/**
 * The source of the worker that hosts an isolated adapter (run with
 * `new Worker(source, { eval: true })`). It imports `adapter-host` next to the
 * checker's own code: the built `.js` from `dist/`, or the `.ts` from `src/`
 * through tsx (tests and `npm run bench` run from `src/`), and serves the adapter.
 * `workerData`: `{ hostUrl, tsxApi, ...HostData }`.
 */
export const hostBootstrapSource = `'use strict';
const { workerData } = require('node:worker_threads');
(async () => {
  const host = workerData.hostUrl.endsWith('.ts')
    ? await (await import(workerData.tsxApi)).tsImport(workerData.hostUrl, workerData.hostUrl)
    : await import(workerData.hostUrl);
  host.serveAdapter(workerData);
})().catch((error) => {
  setImmediate(() => {
    throw error;
  });
});
`;

/** The host module to run in the worker (adapter-host next to this file unless `host` names another). */
export function hostUrl(host: HostModule | undefined): { hostUrl: string; tsxApi: string } {
  const here = import.meta.url;
  const hostUrl = host?.url ?? new URL(`./adapter-host.${here.endsWith('.ts') ? 'ts' : 'js'}`, here).href;
  const ts = hostUrl.endsWith('.ts');
  // The ESM entry of tsx's API (require.resolve finds the CommonJS one, whose tsImport cannot load ESM here).
  return {
    hostUrl,
    tsxApi: ts
      ? pathToFileURL(
          createRequire(here)
            .resolve('tsx/esm/api')
            .replace(/\.cjs$/, '.mjs'),
        ).href
      : '',
  };
}
