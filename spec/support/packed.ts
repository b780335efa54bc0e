/**
 * `npm pack` of this checkout, once per test run for every spec file that needs it
 * (package-paths, package-vitest): npm costs about 2.5 s of CPU a call. The first caller
 * packs into the run's build folder (spec/setup/build.ts) under a lock; a caller in another
 * vitest worker waits for its result. `prepare` runs as `npm pack` runs it, unless dist/ is
 * newer than every source (then the build is skipped: dist/ is what src/ builds to).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The packed tarball and the files npm put in it. */
export interface Packed {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Package-relative paths of every file in the tarball. */
  files: Set<string>;
  /** How it was packed, for the log: with the build, or with dist/ fresh. */
  how: string;
}

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(`${dir}/${d.name}`) : [`${dir}/${d.name}`],
  );
}

/** Whether dist/ was built after the last change to src/ and the build's configuration (tsc rewrites every output on a build). */
function distIsFresh(): boolean {
  if (!existsSync(join(root, 'dist/index.js'))) return false;
  const mtime = (f: string) => statSync(join(root, f)).mtimeMs;
  const built = Math.min(...walk('dist').map(mtime));
  const sources = Math.max(...[...walk('src'), 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map(mtime));
  return sources < built;
}

interface Result {
  tarball: string;
  files: string[];
  how: string;
  error?: string;
}

async function pack(folder: string): Promise<Result> {
  const scripts = distIsFresh() ? ['--ignore-scripts'] : [];
  const how = scripts.length ? 'dist/ fresh' : 'with build';
  try {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--json', ...scripts, '--pack-destination', folder], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const [entry] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    return { tarball: join(folder, entry.filename), files: entry.files.map((f) => f.path), how };
  } catch (error) {
    return { tarball: '', files: [], how, error: String((error as { stderr?: string }).stderr ?? error) };
  }
}

let mine: Promise<Packed> | undefined;

/** This run's packed tarball (packed on first use). */
export function packed(): Promise<Packed> {
  mine ??= (async () => {
    const folder = join(inject('optimspecBuild'), 'npm-pack');
    const resultFile = join(folder, 'result.json');
    let result: Result;
    try {
      mkdirSync(folder);
      result = await pack(folder);
      writeFileSync(`${resultFile}.tmp`, JSON.stringify(result));
      renameSync(`${resultFile}.tmp`, resultFile);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      // Another worker packs: its result appears once complete (written, then renamed into place).
      for (let polls = 0; !existsSync(resultFile); polls++) {
        if (polls > 3000) throw new Error(`npm pack by another vitest worker left no ${resultFile} after 5 minutes`);
        await new Promise((r) => setTimeout(r, 100));
      }
      result = JSON.parse(readFileSync(resultFile, 'utf8')) as Result;
    }
    if (result.error !== undefined) throw new Error(`npm pack failed:\n${result.error}`);
    return { tarball: result.tarball, files: new Set(result.files), how: result.how };
  })();
  return mine;
}
