/**
 * `npm run matrix`: the conformance matrix of real libraries (issue 8). Checks
 * each row's adapter (examples/) with `checkConformance` at one fixed seed, the
 * Python rows over the stdio protocol, merges in the justification of every
 * cell (scripts/matrix-sources.ts) and writes docs/matrix.md and
 * docs/matrix.json. Neither file holds a time or a duration, so a re-run with
 * the same verdicts gives the same bytes.
 *
 * It is an error, reported with exit code 1 after the files are written, when
 * - a checked cell's verdict, conventions or bug has no matching justification
 *   (the checker and the library's source disagree), or
 * - a quoted source line is not at the line it claims in the installed file.
 *
 *   npm run matrix                                  # every row, writes both files
 *   npm run matrix -- --rows pytorch-float32,pytorch-float64   # only these rows, prints, writes nothing
 *   npm run matrix -- --rows tfjs-wasm --write      # only these rows, merged into the files; every other row kept as written
 *
 * The PyTorch rows need Debian's python3-torch, which installs for Debian's
 * /usr/bin/python3 (`OPTIMSPEC_TORCH_PYTHON` names another interpreter); where
 * that interpreter cannot import torch they are printed and written as skipped,
 * with the reason and the install command.
 *
 * The `tfjs-webgl` row runs examples/tfjs-webgl.mjs in headless Chromium (the browser runner,
 * `check --browser`), where WebGL 2 renders through SwiftShader without a GPU; it declares
 * GLSL ES 3.00 highp arithmetic. Where no Chromium is found, or WebGL 2 does not start in it,
 * the row is skipped with the reason and what to install or how to run it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Adapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { allSubjects } from '../src/laws/index.js';
import type { ConformanceOptions, SubjectResult } from '../src/conformance/types.js';
import { optimspecVersion } from '../src/conformance/version.js';
import type { Subject } from '../src/laws/law.js';
import { spawnAdapter } from '../src/protocol/spawn-adapter.js';
import { CHROMIUM_INSTALL, findChromium } from '../src/browser/chromium.js';
import type { Arithmetic } from '../src/numerics/index.js';
import type { Dtype } from '../src/reference/types.js';
import { CHECKED_DTYPES } from '../src/numerics/dtype.js';
import { type CellSource, matrixSources, type RowSources, type SourceLine } from './matrix-sources.js';

/** The one seed of every row (the TF.js spec's), so the files are reproducible. */
export const MATRIX_SEED = 4220;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TORCH_PYTHON = process.env.OPTIMSPEC_TORCH_PYTHON ?? '/usr/bin/python3';
const TORCH_INSTALL = 'apt-get install -y python3-torch';

/** One row of the matrix: a library in one dtype, and how to get its adapter. */
export interface MatrixRow {
  id: string;
  /** The label of a row that could not be checked (a checked row shows its adapter's name). */
  label: string;
  dtype: Dtype;
  /** The arithmetic its adapter declares, when not IEEE-754. */
  arithmetic?: Arithmetic;
  load(): Promise<{ adapter: Adapter; close?: () => Promise<void> }>;
  /** Options of its check besides the seed (a slow row's time limit). */
  options?: Pick<ConformanceOptions, 'totalTimeoutMs'>;
  /** Why the row cannot be checked on this machine, if it cannot. */
  unavailable?(): { reason: string; install: string } | undefined;
}

async function moduleAdapter(file: string, exportName = 'default'): Promise<{ adapter: Adapter }> {
  const mod = (await import(pathToFileURL(join(ROOT, file)).href)) as Record<string, Adapter>;
  const adapter = mod[exportName];
  if (adapter === undefined) throw new Error(`${file} has no export ${exportName}`);
  return { adapter };
}

/** An adapter made by a module's factory export called with `argument` (examples/tfjs.mjs's `tfjsAdapter(backend)`). */
async function factoryAdapter(file: string, exportName: string, argument: string): Promise<{ adapter: Adapter }> {
  const mod = (await import(pathToFileURL(join(ROOT, file)).href)) as Record<string, unknown>;
  const factory = mod[exportName];
  if (typeof factory !== 'function') throw new Error(`${file} has no function export ${exportName}`);
  return { adapter: await (factory as (a: string) => Promise<Adapter>)(argument) };
}

let torchProbe: { ok: true; site: string } | { ok: false; reason: string } | undefined;

/** Whether the torch interpreter imports torch, and the directory holding the torch package. */
function probeTorch(): typeof torchProbe & object {
  if (torchProbe === undefined) {
    const probe = spawnSync(
      TORCH_PYTHON,
      ['-c', 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))'],
      { encoding: 'utf8' },
    );
    if (probe.error !== undefined)
      torchProbe = { ok: false, reason: `${TORCH_PYTHON} cannot be started (${probe.error.message})` };
    else if (probe.status !== 0) {
      const last = probe.stderr.trim().split('\n').pop() ?? '';
      torchProbe = { ok: false, reason: `${TORCH_PYTHON} cannot import torch (${last})` };
    } else torchProbe = { ok: true, site: probe.stdout.trim() };
  }
  return torchProbe;
}

function torchRow(dtype: Dtype): MatrixRow {
  return {
    id: `pytorch-${dtype}`,
    label: 'PyTorch (python3-torch)',
    dtype,
    unavailable() {
      if (!CHECKED_DTYPES.includes(dtype))
        return {
          reason: `the checker does not judge ${dtype} yet (it judges ${CHECKED_DTYPES.join(', ')})`,
          install: `an optimspec whose checker judges ${dtype}, then npm run matrix -- --rows pytorch-${dtype} --write`,
        };
      const probe = probeTorch();
      return probe.ok
        ? undefined
        : { reason: probe.reason, install: `${TORCH_INSTALL} (Debian 12; it installs for /usr/bin/python3)` };
    },
    async load() {
      const adapter = await spawnAdapter([TORCH_PYTHON, 'examples/python/pytorch_adapter.py', dtype], {
        cwd: ROOT,
        timeoutMs: 60_000,
      });
      return { adapter, close: () => adapter.close() };
    },
  };
}

/**
 * Whether headless Chromium renders WebGL 2 here: a Chromium on the PATH, and a page of it that
 * gets a `webgl2` context (in a child process, since a row's `unavailable` is synchronous).
 */
function probeWebgl(): { reason: string; install: string } | undefined {
  let chromium: string;
  try {
    chromium = findChromium(undefined);
  } catch (error) {
    return { reason: (error as Error).message, install: CHROMIUM_INSTALL };
  }
  const script = `import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: ${JSON.stringify(chromium)}, headless: true });
try {
  const page = await browser.newPage();
  const ok = await page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
  process.stdout.write(ok ? 'webgl2' : 'none');
} finally {
  await browser.close();
}`;
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (probe.stdout === 'webgl2') return undefined;
  const why = probe.stdout === 'none' ? 'no WebGL 2 context in its page' : probe.stderr.trim().split('\n')[0];
  return {
    reason: `headless Chromium (${chromium}) does not render WebGL 2 here: ${why}`,
    install: `a Chromium whose headless mode renders WebGL 2 (Debian's chromium does, through SwiftShader; else pass --use-angle=swiftshader --enable-unsafe-swiftshader), then node bin/optimspec.js check --browser examples/tfjs-webgl.mjs`,
  };
}

/** The rows, in the order of the matrix. */
export const matrixRows: readonly MatrixRow[] = [
  { id: 'tfjs', label: 'TensorFlow.js', dtype: 'float32', load: () => moduleAdapter('examples/tfjs.mjs') },
  {
    id: 'tfjs-wasm',
    label: 'TensorFlow.js (wasm backend)',
    dtype: 'float32',
    load: () => factoryAdapter('examples/tfjs.mjs', 'tfjsAdapter', 'wasm'),
  },
  { id: 'convnetjs', label: 'convnetjs', dtype: 'float64', load: () => moduleAdapter('examples/convnetjs.mjs') },
  { id: 'toygrad', label: 'toygrad', dtype: 'float32', load: () => moduleAdapter('examples/toygrad.mjs') },
  { id: 'deeplearn', label: 'deeplearn.js', dtype: 'float32', load: () => moduleAdapter('examples/deeplearn.mjs') },
  {
    id: 'brainjs-weights',
    label: 'brain.js weights',
    dtype: 'float32',
    load: () => moduleAdapter('examples/brainjs.mjs'),
  },
  {
    id: 'brainjs-biases',
    label: 'brain.js biases',
    dtype: 'float32',
    load: () => moduleAdapter('examples/brainjs.mjs', 'biases'),
  },
  torchRow('float32'),
  torchRow('float64'),
  torchRow('bfloat16'),
  torchRow('float16'),
  {
    id: 'tfjs-webgl',
    label: 'TensorFlow.js WebGL (headless Chromium)',
    dtype: 'float32',
    arithmetic: 'glsl-es-3.00-highp',
    // The whole check takes about 5 minutes of SwiftShader here (300 s is the default limit).
    options: { totalTimeoutMs: 1_800_000 },
    unavailable: probeWebgl,
    async load() {
      // Imported here: the browser runner is not needed by the other rows (nor by the generator's spec).
      const { openInBrowser } = await import('../src/browser/index.js');
      // SwiftShader compiles every shader on the CPU: a first call can take seconds on a busy machine.
      const adapter = await openInBrowser('examples/tfjs-webgl.mjs', {
        cwd: ROOT,
        timeoutMs: 120_000,
        loadTimeoutMs: 180_000,
      });
      return { adapter, close: () => adapter.close() };
    },
  },
];

/** One cell as written to docs/matrix.json. */
export interface CellOut {
  subject: Subject;
  /** What the checker says; absent for a row that was not checked. */
  checker?: { verdict: SubjectResult['verdict']; conventions: string[]; bug?: string };
  /** What the library's source implies, and the lines that say so. */
  source: {
    verdict: string;
    conventions: string[];
    bug?: string;
    why: string;
    lines: (SourceLine & { link?: string })[];
  };
  agrees?: boolean;
}

/** One row as written to docs/matrix.json. */
export interface RowOut {
  id: string;
  name: string;
  dtype: Dtype;
  /** The arithmetic the row's adapter declares, when not IEEE-754. */
  arithmetic?: Arithmetic;
  status: 'checked' | 'skipped';
  skipped?: { reason: string; install: string };
  cells: CellOut[];
}

/**
 * A row's justification of a subject. A row that justifies no check over several tensors
 * has an example adapter that declares none (lecture.md section 9): `unsupported`, as the
 * checker reports a subject the adapter does not declare.
 */
function cellSource(sources: RowSources, subject: Subject): CellSource {
  return (
    sources.cells[subject as keyof RowSources['cells']] ?? {
      verdict: 'unsupported',
      conventions: [],
      why: `the example adapter declares no use of several tensors (no tensors: { ... } and no createTensors), so ${subject} is not checked`,
      lines: [],
    }
  );
}

function sameCell(result: SubjectResult, source: CellSource): boolean {
  return (
    result.verdict === source.verdict &&
    JSON.stringify([...result.conventions].sort()) === JSON.stringify([...source.conventions].sort()) &&
    (result.bug ?? null) === (source.bug ?? null)
  );
}

/** Quoted lines that are not where they claim to be in the installed file; [] when all are (and when `base` is unknown). */
export function verifyLines(sources: RowSources, base: string | undefined): string[] {
  if (base === undefined) return [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const cell of Object.values(sources.cells)) {
    for (const l of cell.lines) {
      const key = `${l.file}:${l.line}:${l.quote}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let text: string;
      try {
        text = readFileSync(join(base, l.file), 'utf8');
      } catch (error) {
        problems.push(`${sources.row}: cannot read ${l.file} (${(error as Error).message})`);
        continue;
      }
      const line = text.split('\n')[l.line - 1];
      if (line === undefined || !line.includes(l.quote))
        problems.push(
          `${sources.row}: ${l.file}:${l.line} does not contain ${JSON.stringify(l.quote)} (it reads ${JSON.stringify(line?.trim())})`,
        );
    }
  }
  return problems;
}

function describe(c: { verdict: string; conventions: readonly string[]; bug?: string | undefined }): string {
  const extra = c.bug !== undefined ? [c.bug, ...c.conventions] : c.conventions;
  return extra.length === 0 ? c.verdict : `${c.verdict} (${extra.join(', ')})`;
}

/**
 * Checks one row at {@link MATRIX_SEED} (or reports it skipped) and pairs each
 * cell with its justification; every disagreement and every misquoted source
 * line is pushed onto `problems`.
 */
export async function checkRow(
  row: MatrixRow,
  sources: RowSources,
  problems: string[],
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<RowOut> {
  const subjects = allSubjects();
  const unavailable = row.unavailable?.();
  const base =
    sources.base === 'node_modules'
      ? join(ROOT, 'node_modules')
      : probeTorch().ok
        ? (probeTorch() as { site: string }).site
        : undefined;
  problems.push(...verifyLines(sources, base));
  const sourceOf = (subject: Subject): CellOut['source'] => {
    const s = cellSource(sources, subject);
    return {
      verdict: s.verdict,
      conventions: [...s.conventions],
      ...(s.bug === undefined ? {} : { bug: s.bug }),
      why: s.why,
      lines: s.lines.map((l) => (sources.link === undefined ? { ...l } : { ...l, link: sources.link(l) })),
    };
  };
  if (unavailable !== undefined) {
    log(`SKIPPED ${row.id}: ${unavailable.reason}; install: ${unavailable.install}`);
    return {
      id: row.id,
      name: row.label,
      dtype: row.dtype,
      ...(row.arithmetic === undefined ? {} : { arithmetic: row.arithmetic }),
      status: 'skipped',
      skipped: unavailable,
      cells: subjects.map((subject) => ({ subject, source: sourceOf(subject) })),
    };
  }
  const started = Date.now();
  const { adapter, close } = await row.load();
  try {
    if (adapter.dtype !== row.dtype)
      problems.push(`${row.id}: the adapter computes in ${adapter.dtype}, the row is ${row.dtype}`);
    if ((adapter.arithmetic ?? 'ieee754') !== (row.arithmetic ?? 'ieee754'))
      problems.push(
        `${row.id}: the adapter declares ${adapter.arithmetic ?? 'ieee754'} arithmetic, the row ${row.arithmetic ?? 'ieee754'}`,
      );
    const report = await checkConformance(adapter, { seed: MATRIX_SEED, ...row.options });
    const cells = subjects.map((subject): CellOut => {
      const result = report.results.find((r) => r.subject === subject);
      if (result === undefined) throw new Error(`${row.id}: no result for ${subject}`);
      const agrees = sameCell(result, cellSource(sources, subject));
      const checker = {
        verdict: result.verdict,
        conventions: [...result.conventions],
        ...(result.bug === undefined ? {} : { bug: result.bug }),
      };
      if (!agrees)
        problems.push(
          `${row.id} ${subject}: the checker says ${describe(checker)}; no justification for that (the source says ${describe(cellSource(sources, subject))})`,
        );
      return { subject, checker, source: sourceOf(subject), agrees };
    });
    log(
      `${row.id}: ${report.adapter.name} (${report.adapter.dtype}) checked in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return {
      id: row.id,
      name: report.adapter.name,
      dtype: row.dtype,
      ...(row.arithmetic === undefined ? {} : { arithmetic: row.arithmetic }),
      status: 'checked',
      cells,
    };
  } finally {
    await close?.();
  }
}

function cellText(cell: CellOut): string {
  if (cell.checker === undefined) return '–';
  const text = describe(cell.checker);
  return cell.agrees === true ? text : `**${text}** ✗ source: ${describe(cell.source)}`;
}

/** docs/matrix.md for `rows`: a function of the rows alone, so a row merged in changes no other row's text. */
export function renderMarkdown(rows: readonly RowOut[]): string {
  const subjects = allSubjects();
  const out: string[] = [
    '# Conformance matrix of real libraries',
    '',
    `Generated by \`npm run matrix\` (scripts/matrix.ts) with optimspec ${optimspecVersion()}, seed ${MATRIX_SEED}; do not edit by hand.`,
    "Each cell is the checker's verdict on the library through its adapter in examples/, with the conventions",
    "(conventions.md) it follows or the known bug it has. Every verdict is justified below by the library's",
    'source lines (scripts/matrix-sources.ts; each quote is checked against the installed file). A cell marked ✗',
    'is one where the checker and the source disagree: an error of the generator, listed at the end.',
    "The PyTorch rows run examples/python/pytorch_adapter.py over the stdio protocol with Debian 12's python3-torch,",
    `which installs for /usr/bin/python3 (\`${TORCH_INSTALL}\`); where it is missing they are shown as skipped.`,
    ...(rows.some((r) => r.arithmetic !== undefined)
      ? [
          'A row whose dtype names an arithmetic runs in headless Chromium (`check --browser`) and is judged by what that',
          "arithmetic promises per operation (src/numerics/arithmetic.ts): GLSL ES 3.00 highp's division to 2.5 ULP, sqrt as",
          '1.0 / inversesqrt, subnormals flushable to 0.',
        ]
      : []),
    '',
    `| library | dtype | ${subjects.join(' | ')} |`,
    `|---|---|${subjects.map(() => '---').join('|')}|`,
  ];
  for (const row of rows) {
    const cells = row.status === 'skipped' ? subjects.map(() => 'skipped') : row.cells.map(cellText);
    const dtype = row.arithmetic === undefined ? row.dtype : `${row.dtype} (${row.arithmetic})`;
    out.push(`| ${row.name} | ${dtype} | ${cells.join(' | ')} |`);
  }
  const skipped = rows.filter((r) => r.status === 'skipped');
  if (skipped.length > 0) {
    out.push('');
    for (const row of skipped)
      out.push(`- **${row.id} skipped**: ${row.skipped?.reason}. Install: \`${row.skipped?.install}\`.`);
  }
  out.push('', '## Why each cell has its verdict', '');
  for (const row of rows) {
    const dtype = row.arithmetic === undefined ? row.dtype : `${row.dtype}, ${row.arithmetic}`;
    out.push(`### ${row.name} (${dtype}, row \`${row.id}\`)`, '');
    for (const cell of row.cells) {
      out.push(`- **${cell.subject}**: ${describe(cell.source)}. ${cell.source.why}.`);
      for (const l of cell.source.lines) {
        const where = l.link !== undefined ? `[${l.file}:${l.line}](${l.link})` : `node_modules/${l.file}:${l.line}`;
        out.push(`  - ${where}: \`${l.quote}\``);
      }
    }
    out.push('');
  }
  const disagreements = rows.flatMap((r) =>
    r.cells.filter((c) => c.agrees === false).map((c) => ({ row: r, cell: c })),
  );
  out.push('## Where the checker and the source disagree', '');
  if (disagreements.length === 0) out.push('Nowhere.');
  for (const { row, cell } of disagreements) {
    out.push(
      `- ${row.id} ${cell.subject}: the checker says ${describe(cell.checker!)}; the source says ${describe(cell.source)}.`,
    );
  }
  out.push('');
  return out.join('\n');
}

/**
 * The rows of docs/matrix.json with `fresh` in their place (a row new to the file goes
 * where scripts/matrix.ts lists it): `--rows ... --write` regenerates those rows and
 * leaves every other one as it was written.
 */
function mergedRows(fresh: readonly RowOut[]): RowOut[] {
  const written = (JSON.parse(readFileSync(join(ROOT, 'docs/matrix.json'), 'utf8')) as { rows: RowOut[] }).rows;
  const byId = new Map<string, RowOut>(written.map((r) => [r.id, r]));
  for (const row of fresh) byId.set(row.id, row);
  const order = matrixRows.map((r) => r.id);
  const rank = (id: string): number => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...byId.values()].sort((a, b) => rank(a.id) - rank(b.id));
}

async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--rows');
  const only = at >= 0 ? (argv[at + 1] ?? '').split(',').filter((s) => s !== '') : undefined;
  for (const id of only ?? []) {
    if (!matrixRows.some((r) => r.id === id))
      throw new RangeError(
        `--rows: unknown row ${JSON.stringify(id)} (one of ${matrixRows.map((r) => r.id).join(', ')})`,
      );
  }
  if (at >= 0 && (only === undefined || only.length === 0))
    throw new RangeError('--rows needs a comma-separated list of row ids');
  const problems: string[] = [];
  const rows: RowOut[] = [];
  for (const row of matrixRows.filter((r) => only === undefined || only.includes(r.id))) {
    const sources = matrixSources.find((s) => s.row === row.id);
    if (sources === undefined) throw new Error(`scripts/matrix-sources.ts has no justification for row ${row.id}`);
    rows.push(await checkRow(row, sources, problems));
  }
  for (const row of rows) {
    if (row.status === 'checked')
      process.stdout.write(
        `  ${row.id}: ${row.cells.map((c) => `${c.subject} ${describe(c.checker!)}${c.agrees ? '' : ' ✗'}`).join('; ')}\n`,
      );
  }
  const write = argv.includes('--write');
  if (write && only === undefined)
    throw new RangeError('--write goes with --rows (without --rows every row is written)');
  if (only === undefined || write) {
    const json = {
      generator: 'scripts/matrix.ts',
      optimspec: optimspecVersion(),
      seed: MATRIX_SEED,
      subjects: allSubjects(),
      rows: only === undefined ? rows : mergedRows(rows),
    };
    writeFileSync(join(ROOT, 'docs/matrix.json'), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(join(ROOT, 'docs/matrix.md'), renderMarkdown(json.rows));
    process.stdout.write('wrote docs/matrix.md and docs/matrix.json\n');
  }
  for (const p of problems) process.stderr.write(`matrix: ${p}\n`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`matrix: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
