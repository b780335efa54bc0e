/**
 * This run's compiled copy of src/ (spec/setup/build.ts): for the spec files that start
 * CLI processes and adapter worker threads, which start far cheaper from JavaScript than
 * through tsx. A module imported from the copy must be used with values from the copy
 * only (its classes and symbols are not src/'s), hence one import per spec file.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'vitest';

/** The compiled file of a repository-relative TypeScript source (`src/cli/index.ts` -> `<build>/src/cli/index.js`). */
export function built(source: string): string {
  if (!/\.m?ts$/.test(source)) throw new RangeError(`built: expected a .ts or .mts source, got ${source}`);
  return join(inject('optimspecBuild'), source.replace(/\.m?ts$/, '.js'));
}

/** Imports the compiled module of `source`; `T` is `typeof import('<the source>')`. */
export async function importBuilt<T>(source: string): Promise<T> {
  return (await import(/* @vite-ignore */ pathToFileURL(built(source)).href)) as T;
}

/** The arguments of `node` that run the CLI as bin/optimspec.js does, from the compiled copy. */
export function cliArgs(args: readonly string[]): string[] {
  return [built('spec/cli-entry.mts'), ...args];
}
