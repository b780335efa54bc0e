import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { AdapterLoadError, loadAdapter, validateAdapter } from '../src/adapter/load-adapter.js';
import { scratchFolder, testScratchFolder } from './support/scratch.js';

const dir = fileURLToPath(new URL('./cli-adapters/', import.meta.url));
const scratch = scratchFolder('optimspec-load-');

async function loadError(path: string, cwd = dir): Promise<AdapterLoadError> {
  const error = await loadAdapter(path, cwd).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdapterLoadError);
  return error as AdapterLoadError;
}

describe('loadAdapter', () => {
  test('loads .mjs, .cjs and .ts default exports, relative to cwd', async () => {
    expect((await loadAdapter('sgd-only.mjs', dir)).name).toBe('hand-written sgd (mjs)');
    expect((await loadAdapter('commonjs.cjs', dir)).optimizers).toEqual(['adam']);
    const ts = await loadAdapter('reference64.ts', dir);
    expect([ts.name, ts.dtype]).toEqual(['reference (ts module)', 'float64']);
    expect(ts.optimizers).toEqual(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']);
  });

  test('unwraps a default export compiled to CommonJS: exports.default with __esModule, and .ts in a package without "type": "module"', async () => {
    expect((await loadAdapter('compiled-commonjs.cjs', dir)).name).toBe('compiled commonjs');
    const project = testScratchFolder('optimspec-cjs-project-');
    writeFileSync(join(project, 'package.json'), '{ "name": "a-commonjs-project" }');
    const source = `const adapter = { name: 'typescript commonjs', dtype: 'float32' as const, optimizers: ['momentum'], create: () => ({ step: (g: Float64Array) => g }) };\nexport default adapter;\n`;
    writeFileSync(join(project, 'adapter.ts'), source);
    writeFileSync(join(project, 'adapter.cts'), source);
    for (const file of ['adapter.ts', 'adapter.cts']) {
      const loaded = await loadAdapter(file, project);
      expect([loaded.name, loaded.dtype, loaded.optimizers], file).toEqual([
        'typescript commonjs',
        'float32',
        ['momentum'],
      ]);
    }
  });

  test('a missing file or a file that is not a module is the caller’s mistake', async () => {
    const missing = await loadError('nope.mjs');
    expect(missing.reason).toBe('missing');
    expect(missing.message).toContain('"nope.mjs" not found');
    expect((await loadError('.', dir)).reason).toBe('missing');
    writeFileSync(join(scratch, 'notes.txt'), 'hello');
    const ext = await loadError('notes.txt', scratch);
    expect(ext.reason).toBe('extension');
    expect(ext.message).toContain('got ".txt"');
  });

  test('a module that throws or does not parse is the adapter’s fault, with its own message', async () => {
    const threw = await loadError('throws-on-load.mjs');
    expect(threw.reason).toBe('import');
    expect(threw.message).toContain('Error: cannot find libtorch.so');
    writeFileSync(join(scratch, 'broken.ts'), 'export default { name: "x" ');
    expect((await loadError('broken.ts', scratch)).reason).toBe('import');
  });

  test('a default export that is not an adapter names the field and the value', async () => {
    const cases: [string, string][] = [
      ['bad-dtype.mjs', `adapter.dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got "float8"`],
      [
        'bad-optimizer.mjs',
        'adapter.optimizers[1] must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam, got "lion"',
      ],
      ['no-default.mjs', 'has no default export (it exports adapter)'],
      [
        'factory-default.mjs',
        'the default export must be an adapter object, got a function (export the adapter object',
      ],
      [
        'missing-schedule-fn.mjs',
        'adapter.schedule must be a function when adapter.schedules is not empty, got undefined',
      ],
    ];
    for (const [file, message] of cases) {
      const error = await loadError(file);
      expect(error.reason, file).toBe('invalid');
      expect(error.message, file).toContain(message);
    }
  });
});

describe('validateAdapter', () => {
  const good = { name: 'a', dtype: 'float32', optimizers: ['sgd'], create() {} };
  const message = (value: unknown) => {
    try {
      validateAdapter(value, 'm.js');
      return 'valid';
    } catch (e) {
      return (e as Error).message;
    }
  };
  test('accepts a minimal adapter and rejects each broken field by name', () => {
    expect(message(good)).toBe('valid');
    expect(message(null)).toBe('m.js: the default export must be an adapter object, got null');
    expect(message({ ...good, name: '  ' })).toBe('m.js: adapter.name must be a non-empty string, got "  "');
    expect(message({ ...good, dtype: undefined })).toBe(
      `m.js: adapter.dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got undefined`,
    );
    expect(message({ ...good, optimizers: 'sgd' })).toBe(
      'm.js: adapter.optimizers must be an array of names, got "sgd"',
    );
    expect(message({ ...good, optimizers: ['sgd', 'sgd'] })).toBe('m.js: adapter.optimizers lists "sgd" twice');
    expect(message({ ...good, create: 1 })).toBe('m.js: adapter.create must be a function, got 1');
    expect(message({ ...good, schedules: ['cosine'], schedule() {} })).toBe(
      'm.js: adapter.schedules[0] must be one of step, exponential, inverse-time, got "cosine"',
    );
    expect(message({ ...good, schedules: [] })).toBe('valid');
  });
});

describe('a syntax error in an adapter module', () => {
  test('is reported with file:line:column, the line and a caret (Node itself gives none)', async () => {
    const error = await loadAdapter(`${dir}syntax-error.mjs`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterLoadError);
    const message = (error as AdapterLoadError).message;
    // The first line is the loader's own words (Node's "SyntaxError: Unexpected token ')'", or vitest's); the place follows.
    expect(message).toMatch(
      /failed to load: .*\n {2}at .*spec\/cli-adapters\/syntax-error\.mjs:6:48: Expected ";" but found "\)"\n/,
    );
    expect(message).toContain('return x0 ) } }');
    expect(message.split('\n').at(-1)).toBe(`${' '.repeat(4 + 47)}^`);
  });
});
