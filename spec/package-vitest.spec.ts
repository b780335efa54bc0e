import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packed } from './support/packed.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * How the user's project gets the tarball. By default the tarball is unpacked into its
 * node_modules/optimspec, beside links to exactly the dependencies its package.json
 * declares and to vitest, from this repository's node_modules/ (so a dependency it forgot
 * to declare is missing there too). With OPTIMSPEC_PACKAGE_INSTALL=npm (what `npm run
 * soak` sets) npm itself installs it: `npm ci --offline` from a lockfile made for it, which
 * costs about 7 s of CPU more.
 */
const NPM_INSTALL = process.env.OPTIMSPEC_PACKAGE_INSTALL === 'npm';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

interface PackageJson {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/**
 * A lockfile for a project that depends on the tarball and on vitest: the
 * tarball's own dependencies (read from its package.json, so a dependency it
 * forgot to declare is missing there too) and vitest, each with the closure of
 * what they need, copied from this repository's lockfile. With it `npm ci
 * --offline` installs from the npm cache that this repository's `npm ci` filled,
 * without a registry.
 */
function lockfileFor(tarball: string, integrity: string, pkg: PackageJson): object {
  const packages = (
    JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  ).packages;
  const keep = new Map<string, LockEntry>();
  const resolve = (from: string, name: string): string | undefined => {
    let dir = from;
    for (;;) {
      const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (packages[path]) return path;
      if (!dir) return undefined;
      const i = dir.lastIndexOf('/node_modules/');
      dir = i < 0 ? '' : dir.slice(0, i);
    }
  };
  const visit = (path: string): void => {
    if (keep.has(path)) return;
    const entry = packages[path]!;
    keep.set(path, entry);
    for (const [deps, optional] of [
      [entry.dependencies, false],
      [entry.optionalDependencies, true],
      [entry.peerDependencies, true],
    ] as const) {
      for (const name of Object.keys(deps ?? {})) {
        const found = resolve(path, name);
        if (found) visit(found);
        else if (!optional) throw new Error(`${path} needs ${name}, which the repository's lockfile does not have`);
      }
    }
  };
  for (const name of [...Object.keys(pkg.dependencies), 'vitest']) visit(resolve('', name) ?? `node_modules/${name}`);
  const vitest = packages['node_modules/vitest']!.version!;
  const out: Record<string, object> = {
    '': { name: 'user-project', dependencies: { optimspec: `file:${tarball}`, vitest } },
  };
  for (const [path, { dev: _d, devOptional: _o, peer: _p, ...entry }] of keep) out[path] = entry;
  out['node_modules/optimspec'] = {
    version: pkg.version,
    resolved: `file:${tarball}`,
    integrity,
    dependencies: pkg.dependencies,
    peerDependencies: pkg.peerDependencies,
  };
  return { name: 'user-project', lockfileVersion: 3, requires: true, packages: out };
}

const ADAPTER = `// The notes' "x += learning_rate * dx" taken literally: the known bug "ascent".
export default {
  name: 'ascent sgd',
  dtype: 'float64',
  optimizers: ['sgd'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    let lr = config.learningRate;
    return {
      step(grad, learningRate) {
        if (learningRate !== undefined) lr = learningRate;
        for (let i = 0; i < x.length; i++) x[i] += lr * grad[i];
        return x;
      },
    };
  },
};
`;

let project: string;
let output: string;
let exitCode: number;

/** Unpacks the tarball as node_modules/optimspec and links exactly its declared dependencies and vitest beside it. */
function linkInstall(app: string, tarball: string): void {
  const modules = join(app, 'node_modules');
  const own = join(modules, 'optimspec');
  mkdirSync(own, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', own, '--strip-components=1']);
  const pkg = JSON.parse(readFileSync(join(own, 'package.json'), 'utf8')) as PackageJson;
  for (const name of [...Object.keys(pkg.dependencies), 'vitest']) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
}

/** `npm ci --offline` of the tarball, from a lockfile made for it (see lockfileFor). */
function npmInstall(app: string, tarball: string): void {
  const bytes = readFileSync(tarball);
  const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lockfileFor(`../${basename(tarball)}`, integrity, pkg)));
  try {
    execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: app,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Offline, npm can only install what this repository's own `npm ci` put in the npm cache.
    throw new Error(
      `npm ci --offline of the packed tarball failed (run npm ci in the repository first):\n${(error as { stderr?: string }).stderr ?? error}`,
    );
  }
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'optimspec-user-'));
  // dist/ must be built from the sources under test: npm pack's "prepare" rebuilds it, unless it is newer than every source (then the build is skipped).
  const pack = await packed();
  const tarball = join(project, basename(pack.tarball));
  writeFileSync(tarball, readFileSync(pack.tarball));
  const app = join(project, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'user-project',
      private: true,
      type: 'module',
      dependencies: { optimspec: `file:../${basename(tarball)}` },
    }),
  );
  if (NPM_INSTALL) npmInstall(app, tarball);
  else linkInstall(app, tarball);
  console.log(
    `packed-package test: npm pack (${pack.how}), installed by ${NPM_INSTALL ? 'npm ci --offline' : 'links'}`,
  );
  writeFileSync(join(app, 'ascent.mjs'), ADAPTER);
  writeFileSync(
    join(app, 'sgd.spec.mjs'),
    "import { describeConformance } from 'optimspec/vitest';\nimport adapter from './ascent.mjs';\n\ndescribeConformance(adapter, { only: ['sgd'] });\n",
  );
  writeFileSync(
    join(app, 'options.spec.mjs'),
    "import { describeConformance } from 'optimspec/vitest';\nimport adapter from './ascent.mjs';\n\ndescribeConformance(adapter, { only: ['Adam'] });\n",
  );
  ({ output, exitCode } = await new Promise<{ output: string; exitCode: number }>((done) => {
    execFile(
      process.execPath,
      [join(app, 'node_modules/vitest/vitest.mjs'), 'run', '--root', app],
      { cwd: app, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' }, timeout: 120_000 },
      (error, stdout, stderr) =>
        done({ output: `${stdout}\n${stderr}`, exitCode: error ? Number((error as { code?: number }).code) : 0 }),
    );
  }));
  if (process.env.OPTIMSPEC_DUMP) writeFileSync(process.env.OPTIMSPEC_DUMP, output);
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the vitest binding, installed from the packed tarball', () => {
  test('a failing spec fails', () => {
    expect(exitCode, output).toBe(1);
  });

  test('a failing check fails with the checker message and counterexample, not a boolean diff', () => {
    expect(output).toContain('ConformanceCheckError: sgd: fails');
    expect(output).toMatch(
      /ConformanceCheckError: fixture:sgd\/float64\/open\/ordinary-0: fail: golden fixture \(ordinary\)/,
    );
    expect(output).toMatch(
      /step \d+, coordinate \d+: expected [-\d.e]+, actual [-\d.e]+ \(relative error [\d.e-]+, (opposite sign|\d+ ULP)\)/,
    );
    expect(output).not.toContain('expected false to be true');
    expect(output).not.toContain('Object.is equality');
  });

  test('the counterexample keeps -0 (JSON would print 0)', () => {
    const counterexample = output.slice(output.indexOf('ConformanceCheckError: fixture:sgd/float64/open/ordinary-0'));
    expect(counterexample).toMatch(/x0: \[[^\]]*-0[^\]]*\]/);
  });

  test("the stack points at the user's spec file, not into node_modules/optimspec", () => {
    expect(output).toMatch(/sgd\.spec\.mjs:4:1/);
    expect(output).not.toMatch(/node_modules\/optimspec\/(dist|src)\/vitest/);
  });

  test('bad options fail the file with checkConformance\'s message, not "No test found in suite"', () => {
    expect(output).toContain('options.only: unknown subject "Adam"; did you mean "adam"?');
    expect(output).not.toContain('No test found in suite');
    expect(output).toMatch(/options\.spec\.mjs:4:1/);
    expect(output).not.toContain('node_modules/optimspec/');
  });
});
