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
