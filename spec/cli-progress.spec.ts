import { describe, expect, test } from 'vitest';
import { colorEnabled } from '../src/cli/color.js';
import { referenceAdapter } from '../src/adapter/contract.js';
import { createProgress, plannedTotals } from '../src/cli/progress.js';
import { checkConformance } from '../src/conformance/check.js';
import { decodeReplay, encodeReplay } from '../src/conformance/replay.js';
import { handwritten } from './support/planted/handwritten.js';

const CLEAR = '\r\u001b[K';

function stream(isTTY: boolean, columns?: number) {
  const s = {
    out: '',
    isTTY,
    ...(columns === undefined ? {} : { columns }),
    write: (chunk: string) => (s.out += chunk),
  };
  return s;
}

/** A clock the test advances by hand. */
function clock() {
  const c = { t: 1000, now: () => c.t };
  return c;
}

describe('progress', () => {
  test('on a terminal: a bar per subject with done/total and elapsed time, redrawn in place, a finished bar kept', () => {
    const s = stream(true, 200);
    const c = clock();
    const p = createProgress(s, false, {
      totals: new Map([
        ['sgd', 4],
        ['adam', 2],
      ]),
      now: c.now,
    });
    c.t += 500;
    p.onProgress({ subject: 'sgd', check: 'a', status: 'pass' });
    expect(s.out).toBe(`${CLEAR}  sgd       ██████░░░░░░░░░░░░░░░░░░  1/4  0.5 s`);
    c.t += 50; // within the redraw interval: nothing drawn
    p.onProgress({ subject: 'sgd', check: 'b', status: 'fail' });
    expect(s.out.split(CLEAR).length).toBe(2);
    c.t += 200;
    p.onProgress({ subject: 'sgd', check: 'c', status: 'pass' });
    expect(s.out.split(CLEAR).at(-1)).toBe('  sgd       ██████████████████░░░░░░  3/4  0.8 s  1 differ');
    p.onProgress({ subject: 'sgd', check: 'd', status: 'pass' });
    // The last check finishes the bar: drawn in full and ended with a line break.
    expect(s.out.split(CLEAR).at(-1)).toBe('  sgd       ████████████████████████  4/4  0.8 s  1 differ\n');
    c.t += 1000;
    p.onProgress({ subject: 'adam', check: 'a', status: 'pass' });
    expect(s.out.split(CLEAR).at(-1)).toBe('  adam      ████████████░░░░░░░░░░░░  1/2  1.0 s');
    p.done();
    expect(s.out.endsWith(CLEAR)).toBe(true);
  });

  test('lines are clipped below the terminal width, so they never wrap and leave debris', () => {
    const s = stream(true, 30);
    const p = createProgress(s, false, { totals: new Map([['schedule:inverse-time', 40]]), now: () => 0 });
    p.onProgress({ subject: 'schedule:inverse-time', check: 'a', status: 'error' });
    const line = s.out.split(CLEAR).at(-1)!;
    expect(Array.from(line).length).toBe(29);
  });

  test('colours only when asked (NO_COLOR / FORCE_COLOR are decided by colorEnabled)', () => {
    const plain = stream(true, 200);
    createProgress(plain, false, { totals: new Map([['sgd', 3]]), now: () => 0 }).onProgress({
      subject: 'sgd',
      check: 'a',
      status: 'fail',
    });
    expect(plain.out).not.toContain('\u001b[3');
    const coloured = stream(true, 200);
    createProgress(coloured, false, { totals: new Map([['sgd', 3]]), color: true, now: () => 0 }).onProgress({
      subject: 'sgd',
      check: 'a',
      status: 'fail',
    });
    expect(coloured.out).toContain('\u001b[33m████████\u001b[0m');
  });

  test('not on a terminal: one plain line per subject with its total; nothing with quiet', () => {
    const s = stream(false);
    const p = createProgress(s, false, { totals: new Map([['sgd', 2]]) });
    for (const subject of ['sgd', 'sgd', 'adam']) p.onProgress({ subject, check: 'x', status: 'pass' });
    p.done();
    expect(s.out).toBe('optimspec: checking sgd (2 checks)\noptimspec: checking adam\n');
    const q = stream(true, 80);
    createProgress(q, true).onProgress({ subject: 'sgd', check: 'x', status: 'pass' });
    expect(q.out).toBe('');
  });

  test('colour: --no-color and NO_COLOR win, FORCE_COLOR colours a pipe, a terminal colours unless TERM=dumb', () => {
    expect(colorEnabled({ isTTY: true, env: {} })).toBe(true);
    expect(colorEnabled({ isTTY: false, env: {} })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { TERM: 'dumb' } })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '' } })).toBe(true);
    expect(colorEnabled({ isTTY: true, env: {}, noColorFlag: true })).toBe(false);
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '' } })).toBe(true);
    expect(colorEnabled({ isTTY: true, env: { FORCE_COLOR: '0' } })).toBe(true);
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: 'false' } })).toBe(false);
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(false);
  });

  test('the totals known before the run are the numbers of checks the run reports, so a bar ends full', async () => {
    const adapter = referenceAdapter({ dtype: 'float32' });
    const totals = plannedTotals(adapter, ['momentum', 'schedule:step'], 0.5)!;
    const report = await checkConformance(adapter, { only: ['momentum', 'schedule:step'], runs: 0.5, seed: 11 });
    expect(new Map(report.results.map((r) => [r.subject, r.findings.length]))).toEqual(totals);
    expect(plannedTotals({ ...adapter, optimizers: null as never }, undefined, undefined)).toBeUndefined();
  });

  test('a replay plans what it runs: 1 check for a law or a scenario, every scenario with immutability', async () => {
    const adapter = handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent', optimizers: ['sgd'] });
    const full = await checkConformance(adapter, { only: ['sgd'], runs: 0.5, seed: 11 });
    const failing = full.results[0]!.findings.filter((f) => f.replay !== undefined);
    const tokens = [
      failing.find((f) => f.check.startsWith('law:'))!.replay!,
      failing.find((f) => f.check.startsWith('fixture:'))!.replay!,
      encodeReplay({ subject: 'sgd', check: 'immutability', seed: 11, runs: 0.5 }),
    ];
    const planned = tokens.map((t) => plannedTotals(adapter, undefined, undefined, undefined, decodeReplay(t))!);
    expect(planned.map((p) => p.get('sgd'))).toEqual([1, 1, expect.any(Number)]);
    for (const [i, token] of tokens.entries()) {
      const replayed = await checkConformance(adapter, { replay: token });
      expect(new Map(replayed.results.map((r) => [r.subject, r.findings.length]))).toEqual(planned[i]);
    }
    const s = stream(false);
    createProgress(s, false, { totals: planned[0] }).onProgress({ subject: 'sgd', check: 'x', status: 'fail' });
    expect(s.out).toBe('optimspec: checking sgd (1 check)\n');
  });
});
