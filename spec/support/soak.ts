/**
 * True under `npm run soak` (scripts/soak.ts sets OPTIMSPEC_SOAK=1): a spec file then
 * registers its whole catalogue, where `npm test` (60 s on two cores) registers a
 * representative case of each property. vitest.config.ts likewise collects the files
 * that only the soak runs.
 */
export const SOAK = process.env.OPTIMSPEC_SOAK === '1';
