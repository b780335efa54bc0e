import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Adapter } from './contract.js';
import { optimizerRules, scheduleRules } from '../registry/index.js';
import { describeValue, type Dtype } from '../reference/index.js';
import { precisionProblem } from './precision.js';
import { CHECKED_DTYPES, dtypeChoices, requireArithmetic } from '../numerics/index.js';
import { syntaxLocation } from './syntax-location.js';
import { requireTensorSupport } from './tensor-support.js';

/**
 * Why an adapter module could not be used: `missing` (no such file) and
 * `extension` (not a module optimspec can load) are the caller's mistake;
 * `import` (the module threw while loading) and `invalid` (its default export
 * is not an adapter) are the adapter's. The CLI maps the first two to exit 2
 * and the last two to exit 1 (docs/cli.md).
 */
export class AdapterLoadError extends Error {
  override readonly name = 'AdapterLoadError';
  constructor(
    message: string,
    readonly reason: 'missing' | 'extension' | 'import' | 'invalid',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const javascript = new Set(['.js', '.mjs', '.cjs']);
const typescript = new Set(['.ts', '.mts', '.cts']);

/**
 * What is wrong with a list of names an adapter declares (`adapter.optimizers`,
 * `adapter.schedules`), or undefined. Each known name may be listed once, so a list
 * longer than `known` is refused from its length alone, before any entry is read: a
 * holey array of length 2^32 - 1 would otherwise be walked element by element for
 * minutes. Then every index is read, holes included (they read as undefined).
 */
export function nameListProblem(field: string, value: unknown, known: readonly string[]): string | undefined {
  if (!Array.isArray(value)) return `${field} must be an array of names, got ${describeValue(value)}`;
  const length = value.length;
  if (length > known.length)
    return `${field} has length ${length}, more than the ${known.length} names there are (${known.join(', ')}): each is listed at most once`;
  const seen = new Set<unknown>();
  for (let i = 0; i < length; i++) {
    const name: unknown = value[i];
    if (typeof name !== 'string' || !known.includes(name))
      return `${field}[${i}] must be one of ${known.join(', ')}, got ${describeValue(name)}`;
    if (seen.has(name)) return `${field} lists ${JSON.stringify(name)} twice`;
    seen.add(name);
  }
  return undefined;
}

function requireNames(source: string, field: string, value: unknown, known: readonly string[]): void {
  const problem = nameListProblem(field, value, known);
  if (problem !== undefined) throw new AdapterLoadError(`${source}: ${problem}`, 'invalid');
}

/**
 * Checks that a value honours the adapter contract (src/adapter/contract.ts) before any check
 * runs, so that a malformed module gets one clear message naming the field and
 * the value instead of an `error` verdict per subject.
 */
export function validateAdapter(value: unknown, source = 'adapter'): asserts value is Adapter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const hint = typeof value === 'function' ? ' (export the adapter object, not a function that makes one)' : '';
    throw new AdapterLoadError(
      `${source}: the default export must be an adapter object, got ${describeValue(value)}${hint}`,
      'invalid',
    );
  }
  const a = value as Record<string, unknown>;
  if (typeof a.name !== 'string' || a.name.trim() === '') {
    throw new AdapterLoadError(
      `${source}: adapter.name must be a non-empty string, got ${describeValue(a.name)}`,
      'invalid',
    );
  }
  if (!(CHECKED_DTYPES as readonly unknown[]).includes(a.dtype)) {
    throw new AdapterLoadError(
      `${source}: adapter.dtype must be ${dtypeChoices(CHECKED_DTYPES)}, got ${describeValue(a.dtype)}`,
      'invalid',
    );
  }
  const precision = precisionProblem('adapter.precision', a.precision, a.dtype as Dtype);
  if (precision !== undefined) throw new AdapterLoadError(`${source}: ${precision}`, 'invalid');
  try {
    requireArithmetic('adapter.arithmetic', a.arithmetic, a.dtype as string);
  } catch (error) {
    throw new AdapterLoadError(`${source}: ${(error as Error).message}`, 'invalid');
  }
  requireNames(
    source,
    'adapter.optimizers',
    a.optimizers,
    optimizerRules.map((r) => r.name),
  );
  if (typeof a.create !== 'function') {
    throw new AdapterLoadError(
      `${source}: adapter.create must be a function, got ${describeValue(a.create)}`,
      'invalid',
    );
  }
  if (a.schedules !== undefined) {
    requireNames(
      source,
      'adapter.schedules',
      a.schedules,
      scheduleRules.map((r) => r.name),
    );
    if ((a.schedules as unknown[]).length > 0 && typeof a.schedule !== 'function') {
      throw new AdapterLoadError(
        `${source}: adapter.schedule must be a function when adapter.schedules is not empty, got ${describeValue(a.schedule)}`,
        'invalid',
      );
    }
  }
  if (a.tensors !== undefined) {
    let support: ReturnType<typeof requireTensorSupport>;
    try {
      support = requireTensorSupport('adapter.tensors', a.tensors);
    } catch (error) {
      throw new AdapterLoadError(`${source}: ${(error as Error).message}`, 'invalid');
    }
    if (support.tensors === true && typeof a.createTensors !== 'function') {
      throw new AdapterLoadError(
        `${source}: adapter.createTensors must be a function when adapter.tensors.tensors is true, got ${describeValue(a.createTensors)}`,
        'invalid',
      );
    }
  }
}

/**
 * Loads a user's adapter module and returns its validated default export.
 * `.js`, `.mjs` and `.cjs` are imported by Node; `.ts`, `.mts` and `.cts` through
 * tsx's scoped `tsImport`, so no loader flag or build step is needed.
 */
export async function loadAdapter(modulePath: string, cwd: string = process.cwd()): Promise<Adapter> {
  const file = resolve(cwd, modulePath);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile())
    throw new AdapterLoadError(
      `adapter module ${JSON.stringify(modulePath)} not found (looked for ${file})`,
      'missing',
    );
  const ext = extname(file).toLowerCase();
  if (!javascript.has(ext) && !typescript.has(ext)) {
    throw new AdapterLoadError(
      `adapter module ${JSON.stringify(modulePath)} must end in .js, .mjs, .cjs, .ts, .mts or .cts, got ${JSON.stringify(ext || '(none)')}`,
      'extension',
    );
  }
  const url = pathToFileURL(file).href;
  let mod: Record<string, unknown>;
  try {
    if (typescript.has(ext)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = await tsImport(url, import.meta.url);
    } else {
      mod = await import(url);
    }
  } catch (error) {
    // Any loader (Node, tsx, a test runner's) may report a syntax error without its place: look for one.
    const where = syntaxLocation(file);
    const reason = `${error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error)}${where === undefined ? '' : `\n  at ${where}`}`;
    throw new AdapterLoadError(`adapter module ${JSON.stringify(modulePath)} failed to load: ${reason}`, 'import', {
      cause: error,
    });
  }
  if (!('default' in mod) || mod.default === undefined) {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    throw new AdapterLoadError(
      `adapter module ${JSON.stringify(modulePath)} has no default export${names.length ? ` (it exports ${names.join(', ')})` : ''}; write \`export default adapter\``,
      'invalid',
    );
  }
  const adapter = unwrapCommonJs(mod.default);
  validateAdapter(adapter, modulePath);
  return adapter;
}

/**
 * An `export default` compiled to CommonJS (a `.cts` file, a `.ts` file in a package
 * without `"type": "module"`, Babel output) lands in `module.exports.default` with
 * `__esModule` set, and importing that module yields it one level deeper.
 */
function unwrapCommonJs(value: unknown): unknown {
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { __esModule?: unknown }).__esModule === true &&
    'default' in value
  ) {
    return (value as { default: unknown }).default;
  }
  return value;
}
