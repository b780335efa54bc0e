import { constants } from 'node:fs';
import { access, mkdir, realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseCommandLine } from '../protocol/index.js';
import type { CheckArgs } from './check-args.js';

/** The report flags, in the order their files are written. */
export const REPORT_FLAGS = ['json', 'junit', 'markdown', 'html'] as const;

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** The real path of a file that exists, else its resolved path (so that a symlink to an input is caught). */
async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}

/** The files the run reads: the adapter module, or the `--exec` program and every argument that names a file. */
async function inputs(
  args: CheckArgs,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<{ label: string; path: string }[]> {
  const out: { label: string; path: string }[] = [];
  if (args.module !== undefined)
    out.push({ label: `the adapter module ${JSON.stringify(args.module)}`, path: resolve(cwd, args.module) });
  if (args.exec !== undefined) {
    let argv: string[];
    let path = env.PATH;
    try {
      const line = parseCommandLine(args.exec);
      argv = line.argv;
      path = line.env.PATH ?? path;
    } catch {
      return out;
    }
    for (const [i, word] of argv.entries()) {
      const label =
        i === 0 ? `the --exec program ${JSON.stringify(word)}` : `the --exec argument ${JSON.stringify(word)}`;
      if (i === 0 && !word.includes('/') && !isAbsolute(word)) {
        for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
          const candidate = join(dir, word);
          if (await exists(candidate)) {
            out.push({ label, path: candidate });
            break;
          }
        }
      } else if (await exists(resolve(cwd, word))) out.push({ label, path: resolve(cwd, word) });
    }
  }
  return out;
}

/**
 * Creates the folders of `file` one level at a time from its nearest existing
 * ancestor. Not `mkdir({ recursive: true })`: on some paths (under /proc) that
 * retries forever; one level at a time fails at the first it cannot make.
 */
export async function makeFolders(file: string): Promise<void> {
  const missing: string[] = [];
  let dir = dirname(file);
  while (!(await exists(dir))) {
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const folder of missing) await mkdir(folder);
}

/**
 * Checks the report paths before anything runs, so that a run never ends without its reports: each must be creatable
 * (its folders are made now) and writable, not a directory, not an input of the
 * run (the adapter module, the `--exec` program or a file among its arguments),
 * and no two reports may share a path. Returns the usage error naming both sides,
 * or undefined.
 */
export async function checkReportPaths(
  args: CheckArgs,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const taken: { label: string; path: string }[] = [];
  for (const input of await inputs(args, cwd, env))
    taken.push({ label: input.label, path: await canonical(input.path) });
  for (const flag of REPORT_FLAGS) {
    const given = args[flag];
    if (given === undefined) continue;
    const file = resolve(cwd, given);
    const label = `--${flag} ${JSON.stringify(given)}`;
    const info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) return `${label}: is a directory; give a file path for the report`;
    const path = await canonical(file);
    const clash = taken.find((t) => t.path === path);
    if (clash !== undefined) {
      return clash.label.startsWith('--')
        ? `${label} and ${clash.label} name the same file; give each report its own path`
        : `${label} is ${clash.label}: the report would overwrite an input of the run`;
    }
    try {
      await makeFolders(file);
      if (!(await stat(dirname(file))).isDirectory()) throw new Error(`${dirname(file)} is not a directory`);
      await access(info === undefined ? dirname(file) : file, constants.W_OK);
    } catch (error) {
      return `${label}: cannot write the report there: ${(error as Error).message}`;
    }
    taken.push({ label, path });
  }
  return undefined;
}
