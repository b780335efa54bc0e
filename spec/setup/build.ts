/**
 * vitest's global setup: compiles src/ (and the few TypeScript entries that spec files
 * run as child processes) to JavaScript once per run, into a fresh temporary folder,
 * never dist/ (which may be stale). Why: a CLI child started with `node --import tsx`,
 * or an adapter's worker thread started from src/ (which loads the checker through
 * tsx's loader thread), costs about 1 s and 0.6 s of CPU; from compiled JavaScript
 * 0.3 s and 0.1 s. The CLI and isolation specs start dozens of each (spec/support/built.ts).
 *
 * The folder mirrors the repository: `<dir>/src/**.js`, `<dir>/spec/...`, with links to
 * package.json, fixtures/ and node_modules/, so that every path the code resolves from
 * its own file (`../../package.json`, `../../fixtures/`, its dependencies) is the same.
 * esbuild is the transpiler tsx itself uses, with the same tsconfig.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of this run's compiled copy of the repository (spec/setup/build.ts). */
    optimspecBuild: string;
  }
}

interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[] }>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The matrix generator, which spec/matrix-generator.spec.ts runs as `npm run matrix` does (1 s of CPU through tsx, 0.3 s compiled). */
const MATRIX = ['scripts/matrix.ts', 'scripts/matrix-sources.ts'];

/** TypeScript sources under `dir` (repository-relative), recursively. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) => {
    const path = `${dir}/${d.name}`;
    if (d.isDirectory()) return sources(path);
    return /\.m?ts$/.test(d.name) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

function link(dir: string, path: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  symlinkSync(join(root, path), join(dir, path));
}

/** Compiles the run's copy and hands its folder to the spec files (`inject('optimspecBuild')`); removes it afterwards. */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'optimspec-build-'));
  // esbuild comes with tsx (a dependency), as in src/adapter/syntax-location.ts.
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx'))('esbuild') as EsbuildApi;
  const children = 'spec/support/children';
  await esbuild.build({
    entryPoints: [...sources('src'), 'spec/cli-entry.mts', ...sources(children), ...MATRIX].map((f) => join(root, f)),
    outbase: root,
    outdir: dir,
    outExtension: { '.js': '.js' },
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'error',
  });
  // The adapter host, which every isolated adapter's worker thread loads (81 threads in a run), as one file that
  // replaces its module of the copy: 80 ms of CPU per thread against 120 ms for its 65 modules one by one (measured
  // on this tree). Every src/ file sits at src/<folder>/, so paths the bundle resolves from its own file are unchanged.
  await esbuild.build({
    entryPoints: [join(root, 'src/isolation/adapter-host.ts')],
    outfile: join(dir, 'src/isolation/adapter-host.js'),
    allowOverwrite: true,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  for (const path of ['package.json', 'fixtures', 'node_modules', 'spec/cli-adapters']) link(dir, path);
  // The children's own non-TypeScript helpers, which they find next to themselves.
  for (const name of readdirSync(join(root, children))) if (!/\.m?ts$/.test(name)) link(dir, `${children}/${name}`);
  pythonWithoutShim(dir);
  project.provide('optimspecBuild', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * Where `python3` on the PATH is a version manager's shim (pyenv's is a shell script that costs 0.4 s of CPU
 * per start, against 0.06 s for the interpreter), the spec files' `python3` children run the interpreter the
 * shim picks, through a link in the run's folder put first on the PATH; nothing else on the PATH moves.
 * Without python3, nothing changes (the specs that need it say so).
 */
function pythonWithoutShim(dir: string): void {
  let executable: string;
  try {
    executable = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    return;
  }
  const onPath = process.env.PATH?.split(delimiter)
    .map((folder) => join(folder, 'python3'))
    .find((candidate) => {
      try {
        return realpathSync(candidate) !== '';
      } catch {
        return false;
      }
    });
  if (executable === '' || onPath === undefined || realpathSync(onPath) === realpathSync(executable)) return;
  mkdirSync(join(dir, 'bin'));
  symlinkSync(executable, join(dir, 'bin', 'python3'));
  process.env.PATH = `${join(dir, 'bin')}${delimiter}${process.env.PATH}`;
}
