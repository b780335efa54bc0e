import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packed } from './support/packed.js';
import { hangGuard } from './support/slowdown.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The scripts npm runs when it installs a package (and lists as install scripts): none may be optimspec's. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

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

/**
 * A lockfile for a project that depends on the tarball and on vitest: the
 * tarball's own dependencies (read from its package.json, so a dependency it
 * forgot to declare is missing there too) and vitest, each with the closure of
 * what they need, copied from this repository's lockfile. With it `npm install
 * --offline` installs from the npm cache that this repository's `npm ci` filled,
 * without a registry. The tarball itself has no entry: npm reads it as `npm install
 * <tgz>` does, its package.json and scripts included (an `npm ci` from a lockfile
 * entry would not look at its scripts, nor warn about them).
 */
function lockfileFor(tarball: string, pkg: { dependencies: Record<string, string> }): object {
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

/** A user's Python adapter in their own folder: it imports the helper by name, with no PYTHONPATH set and no copy. */
const PYTHON_ADAPTER = `from optimspec_protocol import serve

class Sgd:
    def __init__(self, config, x0):
        self.lr, self.x = config["learningRate"], list(x0)
    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.lr = learning_rate
        self.x = [x - self.lr * g for x, g in zip(self.x, grad)]
        return self.x

class MyAdapter:
    name = "my python sgd"
    dtype = "float64"
    optimizers = ["sgd"]
    def create(self, config, x0):
        return Sgd(config, x0)

serve(MyAdapter())
`;

let project: string;
let app: string;
let output: string;
let exitCode: number;
let installWarnings: string;
let installedScripts: string[];
let python: { code: number; stdout: string; stderr: string };
let pythonPath: string;
const timings: Record<string, number> = {};

function timed<T>(label: string, run: () => T): T {
  const t0 = Date.now();
  const value = run();
  timings[label] = Date.now() - t0;
  return value;
}

/** `npm install --offline` of the tarball from a lockfile made for it (see lockfileFor), keeping npm's warnings. */
function npmInstall(lockfile: object): void {
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lockfile));
  timed('npm install --offline', () => {
    // With install scripts as a user has them (npm 11 lists those it did not run), so that a warning about ours shows.
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
      cwd: app,
      encoding: 'utf8',
    });
    installWarnings = install.stderr;
    if (install.status !== 0) {
      // Offline, npm can only install what this repository's own `npm ci` put in the npm cache.
      throw new Error(
        `npm install --offline of the packed tarball failed (run npm ci in the repository first):\n${install.stderr || install.error}`,
      );
    }
  });
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'optimspec-user-'));
  // The run's one tarball (spec/support/packed.ts), copied beside the user's project.
  const pack = await packed();
  const tarball = basename(pack.tarball);
  writeFileSync(join(project, tarball), readFileSync(pack.tarball));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  app = join(project, 'app');
  mkdirSync(app);
  const lockfile = lockfileFor(`../${tarball}`, pkg) as { packages: Record<string, { dependencies?: object }> };
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'user-project',
      private: true,
      type: 'module',
      dependencies: lockfile.packages['']!.dependencies,
    }),
  );
  npmInstall(lockfile);
  const manifest = JSON.parse(readFileSync(join(app, 'node_modules/optimspec/package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  installedScripts = Object.keys(manifest.scripts ?? {});
  writeFileSync(join(app, 'ascent.mjs'), ADAPTER);
  writeFileSync(
    join(app, 'sgd.spec.mjs'),
    "import { describeConformance } from 'optimspec/vitest';\nimport adapter from './ascent.mjs';\n\ndescribeConformance(adapter, { only: ['sgd'] });\n",
  );
  writeFileSync(
    join(app, 'options.spec.mjs'),
    "import { describeConformance } from 'optimspec/vitest';\nimport adapter from './ascent.mjs';\n\ndescribeConformance(adapter, { only: ['Adam'] });\n",
  );
  writeFileSync(join(app, 'my_adapter.py'), PYTHON_ADAPTER);
  const { PYTHONPATH: _, ...userEnv } = process.env;
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        args,
        { cwd: app, env: { ...userEnv, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' }, timeout: hangGuard(120_000) },
        (error, stdout, stderr) =>
          done({ code: error ? Number((error as { code?: number }).code) : 0, stdout: String(stdout), stderr }),
      );
    });
  const t0 = Date.now();
  const cli = join(app, 'node_modules/optimspec/bin/optimspec.js');
  // The three at once: the binding's vitest run is the long one.
  let vitest: { code: number; stdout: string; stderr: string };
  [vitest, python, { stdout: pythonPath }] = await Promise.all([
    run([join(app, 'node_modules/vitest/vitest.mjs'), 'run', '--root', app]),
    run([cli, 'check', '--exec', 'python3 my_adapter.py', '--only', 'sgd']),
    run([cli, 'python-path']),
  ]);
  ({ code: exitCode } = vitest);
  output = `${vitest.stdout}\n${vitest.stderr}`;
  timings['vitest run, python check'] = Date.now() - t0;
  console.log(`packed-package test timings (ms): ${JSON.stringify(timings)}`);
  if (process.env.OPTIMSPEC_DUMP) writeFileSync(process.env.OPTIMSPEC_DUMP, output);
}, hangGuard(180_000));

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed tarball, installed in a fresh project', () => {
  test('has no install script of its own (dist/ is built by prepack), so npm runs and warns about nothing of it', () => {
    expect(installedScripts).toContain('prepack');
    expect(installedScripts.filter((name) => INSTALL_SCRIPTS.includes(name))).toEqual([]);
  });

  // The same property as npm itself reports it.
  test('installs without a warning about optimspec (no install script of its own: dist/ is built by prepack)', () => {
    expect(installWarnings.split('\n').filter((line) => /\bwarn\b/i.test(line) && /optimspec/.test(line))).toEqual([]);
  });

  test("a user's Python adapter imports the helper with no PYTHONPATH and no copy: --exec puts it there", () => {
    expect(python.stderr).not.toContain('ModuleNotFoundError');
    expect(python.code, python.stderr).toBe(0);
    expect(python.stdout).toMatch(/^PASS my python sgd \(float64\): 1 conforms/m);
  });

  test('npx optimspec python-path prints the installed helper folder', () => {
    const folder = pythonPath.trim();
    expect(realpathSync(folder)).toBe(realpathSync(join(app, 'node_modules/optimspec/examples/python')));
    expect(existsSync(join(folder, 'optimspec_protocol.py'))).toBe(true);
  });
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
