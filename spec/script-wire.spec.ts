import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostScriptOutcome } from '../src/isolation/host-protocol.js';
import { decodeOutcomes, decodeScripts, encodeOutcomes, encodeScripts } from '../src/isolation/script-wire.js';
import type { Script, ScriptCall } from '../src/adapter/script.js';
import { sameBits } from '../src/numerics/ulp.js';
import { anyDouble } from './support/any-double.js';
import { replayOptions } from './support/replay.js';

/**
 * src/isolation/script-wire.ts packs a batch of scripts (and its answers) into one
 * Float64Array each way for the worker: every number must come back with its bits.
 */

/** fast-check replay: OPTIMSPEC_SEED and OPTIMSPEC_PATH reproduce a reported failure (its seed and path are in the message). */
const replay = replayOptions();
const vector = (n: number) => fc.array(anyDouble, { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));

/** A script of `instances` instances of `n` coordinates: creates, steps (with and without a learning rate), a table, a closed loop, disposes. */
const script: fc.Arbitrary<Script> = fc.integer({ min: 0, max: 5 }).chain((n) =>
  fc
    .record({
      x0s: fc.array(vector(n), { minLength: 1, maxLength: 3 }),
      steps: fc.array(
        fc.record({ instance: fc.nat(), grad: vector(n), learningRate: fc.option(anyDouble, { nil: undefined }) }),
        { maxLength: 8 },
      ),
      values: fc.option(fc.array(fc.nat(1000), { maxLength: 4 }), { nil: undefined }),
      closed: fc.boolean(),
      watch: fc.constantFrom(undefined, 'recent' as const, 'all' as const),
    })
    .map(({ x0s, steps, values, closed, watch }) => {
      const calls: ScriptCall[] = x0s.map((x0) => ({
        op: 'create',
        config: { optimizer: 'sgd', learningRate: 0.1 },
        x0,
      }));
      for (const s of steps)
        calls.push({
          op: 'step',
          instance: s.instance % x0s.length,
          grad: s.grad,
          ...(s.learningRate === undefined ? {} : { learningRate: s.learningRate }),
        });
      if (values !== undefined)
        calls.push({ op: 'values', config: { schedule: 'step', initial: 0.1, every: 2, factor: 0.5 }, t: values });
      if (closed)
        calls.push({
          op: 'closed',
          instance: 0,
          loop: {
            landscape: { name: 'local-minimum', tilt: 0.5 },
            steps: 2,
            x0: Array.from(x0s[0]!),
            dtype: 'float32',
          },
        });
      for (let instance = 0; instance < x0s.length; instance++) calls.push({ op: 'dispose', instance });
      return watch === undefined ? { calls } : { calls, watch };
    }),
);

/** Deep equality where numbers compare by their bits (-0 is not 0, NaN is NaN). */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return sameBits(a, b);
  if (a instanceof Float64Array || b instanceof Float64Array) {
    if (!(a instanceof Float64Array) || !(b instanceof Float64Array) || a.length !== b.length) return false;
    return a.every((x, i) => sameBits(x, b[i]!));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** Plain data as structured clone carries it (what crosses to the worker and back). */
const across = <T>(value: T): T => structuredClone(value);

describe('scripts and their answers cross to the worker packed, every bit kept', () => {
  it('a batch of scripts comes back as it was sent (NaN, infinities, -0, subnormals, learning rates or none)', () => {
    fc.assert(
      fc.property(fc.array(script, { maxLength: 5 }), (batch) => {
        expect(sameData(decodeScripts(across(encodeScripts(batch))), batch)).toBe(true);
      }),
      replay,
    );
  });

  it('their outcomes come back as they were sent: parameters, closed loops, changes, a table failure, errors and refusals', () => {
    const outcome = fc.oneof(
      fc
        .record({
          xs: fc.array(fc.option(fc.integer({ min: 0, max: 4 }).chain(vector), { nil: undefined }), { maxLength: 6 }),
          loops: fc.option(
            fc.array(
              fc.integer({ min: 1, max: 3 }).chain((n) =>
                fc.record({
                  call: fc.nat(9),
                  grads: fc.array(vector(n), { minLength: 2, maxLength: 2 }),
                  xs: fc.array(vector(n), { minLength: 2, maxLength: 2 }),
                }),
              ),
              { maxLength: 2 },
            ),
            { nil: undefined },
          ),
          changes: fc.array(fc.record({ handedAt: fc.nat(9), seenAfter: fc.nat(9), values: vector(2) }), {
            maxLength: 2,
          }),
        })
        .map(
          ({ xs, loops, changes }): HostScriptOutcome => ({
            ok: true,
            result: {
              xs,
              changes,
              ...(loops === undefined ? {} : { loops }),
              failures: [{ call: 1, at: 0, error: { operation: 'schedule', message: 'x' } }],
            },
          }),
        ),
      fc.constant<HostScriptOutcome>({
        ok: false,
        call: 2,
        error: { operation: 'step', message: 'step threw: no', where: 'a.mjs:1:2' },
      }),
      fc.constant<HostScriptOutcome>({
        ok: false,
        call: 0,
        unsupported: { reason: 'rho > 0 only', config: { optimizer: 'nesterov', learningRate: 0.1, rho: 0 } },
      }),
    );
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 5 }), (outcomes) => {
        expect(sameData(decodeOutcomes(across(encodeOutcomes(outcomes))), outcomes)).toBe(true);
      }),
      replay,
    );
  });

  it("refuses a malformed answer (the worker runs the adapter's code) instead of reading past its numbers", () => {
    const wire = encodeOutcomes([{ ok: true, result: { xs: [Float64Array.of(1, 2)], changes: [] } }]);
    expect(() => decodeOutcomes({ ...wire, numbers: new Float64Array(1) })).toThrow(/malformed/);
    expect(() => decodeOutcomes({ ...wire, spans: new Int32Array(0) })).toThrow(/malformed/);
    expect(() => decodeOutcomes({ heads: [null], spans: new Int32Array(0), numbers: new Float64Array(0) })).toThrow(
      /malformed/,
    );
  });
});
