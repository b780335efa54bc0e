// The layering of src/, checked by dependency-cruiser in `npm test` (scripts/test.mjs) and
// by `npm run depcruise`. The layers (scripts/layers.cjs) are README.md's "Layout" table
// (spec/layering.spec.ts holds the two equal): a folder imports only folders of lower
// layers, so no import goes up, none goes sideways within a layer, and folders cannot
// form a cycle. Another folder is entered through its index.ts only. Files form no cycle.

const LAYERS = require('./scripts/layers.cjs');

const folders = (list) => `^src/(${list.join('|')})/`;

const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((folder) => {
    const forbidden = [...LAYERS.slice(i + 1).flat(), ...layer.filter((other) => other !== folder)];
    return {
      name: `layer-${folder}`,
      comment: `src/${folder}/ imports only the layers below it (README.md, "Layout"): not ${forbidden.join(', ')}`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: folders(forbidden) },
    };
  }),
).filter((rule) => !rule.to.path.endsWith('()/'));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no cycle between files (the layer rules already rule out one between folders)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'entry-file',
      comment: 'another folder is entered through its index.ts: what it offers the rest of src/',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'entry-file-of-the-package',
      comment: "the package's entry points (src/index.ts, src/vitest.ts) import each folder's index.ts",
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-import-of-the-package-entries',
      comment: 'src/index.ts and src/vitest.ts are for the package users, not for src/',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/(index|vitest)\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
