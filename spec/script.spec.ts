import { describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter, type Stepper } from '../src/adapter/contract.js';
import { AdapterError } from '../src/adapter/adapter-error.js';
import { UnsupportedValue, unsupported } from '../src/adapter/unsupported.js';
import { closedLoopGradient } from '../src/adapter/closed-loop.js';
import { start } from '../src/adapter/drive.js';
import { runScriptsLocally, type Script, validateScript } from '../src/adapter/script.js';
import { scheduleTable, trajectoriesOf } from '../src/adapter/trajectories.js';
import type { OptimizerConfig } from '../src/reference/types.js';

/**
 * src/adapter/script.ts: a script makes the calls a law stepping one call at a time
 * would make, in the same order, so that running it where the adapter lives (a
 * worker) changes nothing but the number of round trips (issue 9).
 */

type Call = string;

/** An SGD that logs every call it gets, with the instance it is made on; `batched` gives it a `steps` of its own. */
function logging(
  log: Call[],
  options: {
    batched?: boolean;
    refuse?: (c: OptimizerConfig) => boolean;
    failAt?: number;
    mutate?: 'during' | 'later';
  } = {},
): Adapter {
  let created = 0;
  let stepsMade = 0;
  const kept: Float64Array[] = [];
  return {
    name: 'logging sgd',
    dtype: 'float64',
    optimizers: ['sgd', 'momentum'],
    create(config, x0) {
      if (options.refuse?.(config) === true) {
        log.push(`refuse ${config.optimizer}`);
        return unsupported('not this one');
      }
      const id = created++;
      log.push(`create ${id} [${Array.from(x0).join(',')}]`);
      const x = Float64Array.from(x0);
      let lr = config.learningRate;
      const step = (grad: Float64Array, learningRate?: number): Float64Array => {
        stepsMade++;
        log.push(
          `step ${id} [${Array.from(grad).join(',')}]${learningRate === undefined ? '' : ` lr ${learningRate}`}`,
        );
        if (stepsMade === options.failAt) throw new Error(`step ${stepsMade} fails`);
        if (learningRate !== undefined) lr = learningRate;
        for (let i = 0; i < x.length; i++) x[i]! -= lr * grad[i]!;
        if (options.mutate === 'during') grad[0] = 99;
        if (options.mutate === 'later') {
          kept.push(grad);
          if (kept.length === 2) kept[0]![0] = 77;
        }
        return Float64Array.from(x);
      };
      const stepper: Stepper = {
        step,
        dispose() {
          log.push(`dispose ${id}`);
        },
      };
      if (options.batched === true) {
        stepper.steps = (grads, rates) => {
          log.push(`steps ${id} x${grads.length}`);
          return grads.map((g, k) => step(g, rates?.[k]));
        };
      }
      return stepper;
    },
  };
}

const sgd = (learningRate: number): OptimizerConfig => ({ optimizer: 'sgd', learningRate });
const v = (...values: number[]) => Float64Array.from(values);

/** Two instances, interleaved, one with a learning-rate change: the shape of the independence law. */
const interleaved: Script = {
  calls: [
    { op: 'create', config: sgd(0.5), x0: v(1, 2) },
    { op: 'create', config: sgd(0.25), x0: v(3, 4) },
    { op: 'step', instance: 0, grad: v(1, 1) },
    { op: 'step', instance: 1, grad: v(2, 2), learningRate: 0.125 },
    { op: 'step', instance: 0, grad: v(-1, 0) },
    { op: 'dispose', instance: 1 },
    { op: 'step', instance: 0, grad: v(0, -1) },
    { op: 'dispose', instance: 0 },
  ],
};

describe('a script makes the calls of a law stepping one call at a time', () => {
  it('the same calls in the same order, with the same answers', async () => {
    const byScript: Call[] = [];
    const [outcome] = await runScriptsLocally(logging(byScript), [interleaved]);
    const byHand: Call[] = [];
    const adapter = logging(byHand);
    const a = await start(adapter, sgd(0.5), v(1, 2));
    const b = await start(adapter, sgd(0.25), v(3, 4));
    const xs = [await a.step(v(1, 1)), await b.step(v(2, 2), 0.125), await a.step(v(-1, 0))];
    await b.dispose();
    xs.push(await a.step(v(0, -1)));
    await a.dispose();
    expect(byScript).toEqual(byHand);
    expect(outcome!.ok).toBe(true);
    const [first, second] = trajectoriesOf(
      interleaved,
      (outcome as { result: Parameters<typeof trajectoriesOf>[1] }).result,
    );
    expect(first).toEqual([xs[0], xs[2], xs[3]]);
    expect(second).toEqual([xs[1]]);
  });

  it('consecutive steps of one instance go as one batched `steps` where the adapter has one, and only then', async () => {
    const script: Script = {
      calls: [
        { op: 'create', config: sgd(0.5), x0: v(0) },
        { op: 'step', instance: 0, grad: v(1) },
        { op: 'step', instance: 0, grad: v(2), learningRate: 0.25 },
        { op: 'step', instance: 0, grad: v(3) },
        { op: 'dispose', instance: 0 },
      ],
    };
    const batched: Call[] = [];
    await runScriptsLocally(logging(batched, { batched: true }), [script]);
    expect(batched).toEqual([
      'create 0 [0]',
      'steps 0 x3',
      'step 0 [1]',
      'step 0 [2] lr 0.25',
      'step 0 [3]',
      'dispose 0',
    ]);
    const plain: Call[] = [];
    await runScriptsLocally(logging(plain), [script]);
    expect(plain).toEqual(['create 0 [0]', 'step 0 [1]', 'step 0 [2] lr 0.25', 'step 0 [3]', 'dispose 0']);
  });

  it('a refusal ends only its own script; an adapter error ends the batch, and the instances still open are disposed', async () => {
    const log: Call[] = [];
    const adapter = logging(log, { refuse: (c) => c.optimizer === 'momentum', failAt: 2 });
    const one = (config: OptimizerConfig): Script => ({
      calls: [
        { op: 'create', config, x0: v(1) },
        { op: 'step', instance: 0, grad: v(1) },
        { op: 'dispose', instance: 0 },
      ],
    });
    const outcomes = await runScriptsLocally(adapter, [
      one({ optimizer: 'momentum', learningRate: 0.1, rho: 0.9 }),
      one(sgd(0.1)),
      one(sgd(0.2)),
      one(sgd(0.3)),
    ]);
    expect(outcomes).toHaveLength(3);
    expect(outcomes[0]).toMatchObject({ ok: false, call: 0 });
    expect((outcomes[0] as { error: unknown }).error).toBeInstanceOf(UnsupportedValue);
    expect(outcomes[1]!.ok).toBe(true);
    expect(outcomes[2]).toMatchObject({ ok: false, call: 1 });
    expect((outcomes[2] as { error: unknown }).error).toBeInstanceOf(AdapterError);
    expect(String((outcomes[2] as { error: Error }).error.message)).toBe('step threw: step 2 fails');
    expect(log).toEqual([
      'refuse momentum',
      'create 0 [1]',
      'step 0 [1]',
      'dispose 0',
      'create 1 [1]',
      'step 1 [1]',
      'dispose 1',
    ]);
  });

  it('the adapter gets copies: the script keeps its bits, and `watch` reports what the adapter changed and when', async () => {
    const script = (watch: 'all' | 'recent'): Script => ({
      calls: [
        { op: 'create', config: sgd(0.5), x0: v(1) },
        { op: 'step', instance: 0, grad: v(1) },
        { op: 'step', instance: 0, grad: v(2) },
        { op: 'dispose', instance: 0 },
      ],
      watch,
    });
    for (const watch of ['all', 'recent'] as const) {
      const during = script(watch);
      const [changedDuring] = await runScriptsLocally(logging([], { mutate: 'during' }), [during]);
      expect((during.calls[1] as { grad: Float64Array }).grad).toEqual(v(1));
      expect(changedDuring).toMatchObject({
        ok: true,
        result: {
          changes: [
            { handedAt: 1, seenAfter: 1 },
            { handedAt: 2, seenAfter: 2 },
          ],
        },
      });
    }
    // A gradient kept and changed at a later call: only `all` looks at it again.
    const [all] = await runScriptsLocally(logging([], { mutate: 'later' }), [script('all')]);
    expect(all).toMatchObject({ ok: true, result: { changes: [{ handedAt: 1, seenAfter: 2 }] } });
    const [recent] = await runScriptsLocally(logging([], { mutate: 'later' }), [script('recent')]);
    expect(recent).toMatchObject({ ok: true, result: { changes: [] } });
  });

  it('a closed loop steps at the landscape gradient of the iterate the adapter returned', async () => {
    const loop = {
      landscape: { name: 'taco-shell' as const, curvature: [1, 10] },
      steps: 5,
      x0: [1, -2],
      dtype: 'float64' as const,
    };
    const script: Script = {
      calls: [
        { op: 'create', config: sgd(0.05), x0: v(1, -2) },
        { op: 'closed', instance: 0, loop },
        { op: 'dispose', instance: 0 },
      ],
    };
    const [outcome] = await runScriptsLocally(referenceAdapter({ dtype: 'float64' }), [script]);
    const run = (outcome as { result: { loops: { grads: Float64Array[]; xs: Float64Array[] }[] } }).result.loops[0]!;
    expect(run.xs).toHaveLength(5);
    for (const [t, g] of run.grads.entries())
      expect(g).toEqual(closedLoopGradient(loop, t === 0 ? undefined : run.xs[t - 1], t));
    // x1 = x0 - lr c x0, exactly for these values.
    expect(run.xs[0]).toEqual(v(1 - 0.05 * 1, -2 + 0.05 * 20));
  });

  it('a schedule table evaluates each t once, ascending; a throw is met at that t and after, not before', async () => {
    const asked: number[] = [];
    const adapter: Adapter = {
      name: 'schedule',
      dtype: 'float64',
      optimizers: [],
      schedules: ['inverse-time'],
      create() {
        throw new Error('no optimizers');
      },
      schedule() {
        return (t: number) => {
          asked.push(t);
          if (t === 7) throw new Error('no value at 7');
          return 1 / (1 + t);
        };
      },
    };
    const table = await scheduleTable(adapter, { schedule: 'inverse-time', initial: 1, k: 1 }, [9, 3, 7, 3, 1]);
    expect(asked).toEqual([1, 3, 7]);
    expect(table(1)).toBe(1 / 2);
    expect(table(3)).toBe(1 / 4);
    expect(() => table(7)).toThrow(/no value at 7/);
    expect(() => table(9)).toThrow(/no value at 7/);
    expect(() => table(2)).toThrow(/was not asked for/);
  });

  it('refuses a script that steps an instance it never created or already disposed: a law mistake, before any call', () => {
    expect(() => validateScript({ calls: [{ op: 'step', instance: 0, grad: v(1) }] })).toThrow(
      /instance 0, which is not open/,
    );
    expect(() =>
      validateScript({
        calls: [
          { op: 'create', config: sgd(1), x0: v(1) },
          { op: 'dispose', instance: 0 },
          { op: 'step', instance: 0, grad: v(1) },
        ],
      }),
    ).toThrow(/call 2 \(step\) names instance 0/);
  });
});
