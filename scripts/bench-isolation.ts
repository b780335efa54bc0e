import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Issue 9: a full check of the reference isolated in a worker may take at most this much longer than in-process. */
export const ISOLATION_TARGET_RATIO = 1.2;
/** Runs per mode and dtype; the median is kept (the machine is shared: single runs vary by 20% and more). */
export const ISOLATION_REPEATS = 7;

/** One row of the isolation table: medians in seconds. */
export interface IsolationRow {
  dtype: 'float32' | 'float64';
  inProcess: number;
  isolated: number;
  ratio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Times a full check of the reference in-process and isolated in a worker
 * (src/isolation), each in a fresh process as the CLI runs it (so neither gets a
 * warm JIT from the other), alternating the modes, and returns the medians.
 * Builds dist/ first: both modes run the built code, as the CLI does.
 */
export function isolationRows(seed: number): IsolationRow[] {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
    { cwd: root, stdio: 'inherit' },
  );
  const runner = fileURLToPath(new URL('./bench-isolation-run.mjs', import.meta.url));
  const once = (mode: string, dtype: string): number => {
    const out = JSON.parse(
      execFileSync(process.execPath, [runner, mode, dtype, String(seed)], { cwd: root, encoding: 'utf8' }),
    ) as { seconds: number; passed: boolean };
    if (!out.passed) throw new Error(`the reference did not pass ${mode} (${dtype})`);
    return out.seconds;
  };
  const rows: IsolationRow[] = [];
  for (const dtype of ['float64', 'float32'] as const) {
    const inProcess: number[] = [];
    const isolated: number[] = [];
    for (let k = 0; k < ISOLATION_REPEATS; k++) {
      inProcess.push(once('in-process', dtype));
      isolated.push(once('isolated', dtype));
    }
    const row = { dtype, inProcess: median(inProcess), isolated: median(isolated), ratio: 0 };
    row.ratio = row.isolated / row.inProcess;
    rows.push(row);
    process.stderr.write(
      `  reference ${dtype}: in-process ${row.inProcess.toFixed(2)} s, isolated ${row.isolated.toFixed(2)} s\n`,
    );
  }
  return rows;
}
