import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/index.js';
import { type Adapter, referenceAdapter, type Stepper } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { decodeReplay, encodeReplay } from '../src/conformance/replay.js';
import type { ConformanceReport, Finding } from '../src/conformance/types.js';
import { importBuilt } from './support/built.js';
import { handwritten, resetSharedState } from './support/planted/handwritten.js';

/**
 * Issue 10: every failing or deviating check carries a token that re-runs exactly that
 * check, with its counterexample; the CLI prints the whole command. Replaying gives the
 * same failure.
 */
afterEach(() => resetSharedState());

function problems(report: ConformanceReport): Finding[] {
  return report.results.flatMap((r) => r.findings.filter((f) => f.status === 'fail' || f.status === 'explained'));
}

/** What must be the same in a replay: the check, its status, message, conventions, bug and counterexample. */
function essence(f: Finding) {
  const { replay: _token, ...rest } = f;
  return rest;
}

describe('checkConformance({ replay })', () => {
  it('every failing or deviating finding has a token, and replaying it reproduces the finding exactly (scenario, shrunk counterexample, law)', async () => {
    const adapter = handwritten({
      name: 'defaults',
      declared: 'float32',
      conventions: { 'epsilon-inside-sqrt': true },
      bug: 'zero-lr-default',
      optimizers: ['rmsprop'],
    });
    const report = await checkConformance(adapter, { seed: -5, only: ['rmsprop'] });
    const found = problems(report);
    expect(found.length).toBeGreaterThan(3);
    for (const f of found) expect(f.replay, f.check).toMatch(/^r1\./);
    const picks = [
      found.find((f) => f.check.startsWith('fixture:'))!,
      found.find((f) => f.check.startsWith('law:') && f.status === 'fail')!,
      found.find((f) => f.check.startsWith('probe:'))!,
    ];
    for (const original of picks) {
      const replayed = await checkConformance(adapter, { replay: original.replay! });
      expect(replayed.results.map((r) => r.subject)).toEqual(['rmsprop']);
      const again = replayed.results[0]!.findings.filter((f) => f.check === original.check);
      expect(again).toHaveLength(1);
      expect(essence(again[0]!)).toEqual(essence(original));
      expect(replayed.options.seed).toBe(-5);
    }
  });

  it('a shrunk scenario counterexample replays to the same shrunk input', async () => {
    const adapter = handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent', optimizers: ['sgd'] });
    const report = await checkConformance(adapter, { seed: 4, only: ['sgd'] });
    const shrunk = report.results[0]!.findings.find((f) => f.status === 'fail' && /shrunk to/.test(f.message))!;
    const replayed = await checkConformance(adapter, { replay: shrunk.replay! });
    expect(essence(replayed.results[0]!.findings.find((f) => f.check === shrunk.check)!)).toEqual(essence(shrunk));
    expect(replayed.results[0]!.bug).toBe('ascent');
  });

  it('a replayed law names no bug the whole run did not (no scenario runs to rule out ascent for a right-signed error)', async () => {
    // The lecture's Adam with every step 1 + 2^-30 times too long: right-signed, off by 9.3e-10 relative.
    const reference = referenceAdapter({ dtype: 'float64' });
    const adapter: Adapter = {
      name: 'adam with a long step',
      dtype: 'float64',
      optimizers: ['adam'],
      create(config, x0) {
        const inner = reference.create(config, x0) as Stepper;
        const x = Float64Array.from(x0);
        return {
          async step(g, lr) {
            const next = await inner.step(g, lr);
            for (let i = 0; i < x.length; i++) x[i] = x[i]! + (next[i]! - x[i]!) * (1 + 2 ** -30);
            return Float64Array.from(x);
          },
        };
      },
    };
    const report = await checkConformance(adapter, { seed: 3, only: ['adam'] });
    expect(report.results[0]!.verdict).toBe('fails');
    expect(report.results[0]!.bug).toBeUndefined();
    const laws = report.results[0]!.findings.filter((f) => f.check.startsWith('law:') && f.status === 'fail');
    expect(laws.map((f) => f.check)).toContain('law:adam/first-step');
    for (const law of laws) {
      const replayed = await checkConformance(adapter, { replay: law.replay! });
      expect(replayed.results[0]!.bug, law.check).toBeUndefined();
      expect(replayed.results[0]!.findings.find((f) => f.check === law.check)!.bug, law.check).toBeUndefined();
    }
  });

  it('refuses a damaged token and a check the adapter does not have, naming them', async () => {
    const adapter = handwritten({ name: 'ok', declared: 'float64', optimizers: ['sgd'] });
    await expect(checkConformance(adapter, { replay: 'seed=5' })).rejects.toThrow(
      /replay token must start with "r1\." .*got "seed=5"/,
    );
    await expect(checkConformance(adapter, { replay: 'r1.!!!' })).rejects.toThrow(/is damaged/);
    const other = encodeReplay({ subject: 'sgd', check: 'fixture:sgd/float32/open/ordinary-0', seed: 1, runs: 1 });
    await expect(checkConformance(adapter, { replay: other })).rejects.toThrow(
      /"fixture:sgd\/float32\/open\/ordinary-0" is not a check of sgd for this adapter \(float64/,
    );
    expect(decodeReplay(other)).toEqual({
      subject: 'sgd',
      check: 'fixture:sgd/float32/open/ordinary-0',
      seed: 1,
      runs: 1,
    });
  });
});

describe('optimspec check prints a replay command that reproduces the failure', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // The CLI's dispatcher in-process (the compiled copy, spec/support/built.ts), as `npx optimspec` runs it.
  const run = async (args: string[]): Promise<{ code: number; stdout: string }> => {
    const { main } = await importBuilt<typeof import('../src/cli/index.js')>('src/cli/index.ts');
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      env: { NO_COLOR: '1' },
      cwd: root,
    };
    return { code: await main(args, io), stdout };
  };

  it('runs the printed command and gets the same failure', async () => {
    // A quarter of the drawn cases (the token carries the run count): the planted bug still fails, and the replay is the point.
    const first = await run(['check', 'spec/cli-adapters/sgd-bug.mjs', '--seed', '12', '--runs', '0.25']);
    expect(first.code).toBe(1);
    const command = first.stdout.match(/replay: (npx optimspec check \S+ --replay (r1\.[\w-]+))/);
    expect(command, first.stdout).not.toBeNull();
    expect(command![1]).toBe(`npx optimspec check spec/cli-adapters/sgd-bug.mjs --replay ${command![2]}`);
    const again = await run(['check', 'spec/cli-adapters/sgd-bug.mjs', '--replay', command![2]!]);
    expect(again.code).toBe(1);
    // The failure block (heading, the check and its message, the counterexample lines) is the same.
    const block = (out: string) =>
      out.slice(out.indexOf('\nsgd: fails'), out.indexOf('replay: ', out.indexOf('\nsgd: fails')));
    expect(block(again.stdout).replace(/ \(\d+ problems\)/, '')).toBe(
      block(first.stdout).replace(/ \(\d+ problems\)/, ''),
    );
  });
});
