import fc from 'fast-check';

/**
 * How hard a number is to read in a report: significant decimal digits first, then
 * the size of the decimal exponent, then the sign. 0 is the simplest; 1, 2, 0.5, 10
 * and 0.1 come next; a subnormal such as 5e-324 is far down the list.
 */
export function complexity(v: number): number {
  if (v === 0) return 0;
  if (!Number.isFinite(v)) return Number.POSITIVE_INFINITY;
  const digits = Number(Math.abs(v).toPrecision(17))
    .toExponential()
    .replace(/e.*$/, '')
    .replace(/[-.]/g, '')
    .replace(/0+$/, '').length;
  return digits * 1000 + Math.abs(Math.floor(Math.log10(Math.abs(v)))) + (v < 0 ? 1 : 0);
}

/**
 * Numbers simpler than `value` ({@link complexity}) that a reader grasps at a glance,
 * most readable first: 0, the sign, the nearest powers of two and ten, the integer
 * part, one, two and four significant digits, the positive value. Each is rounded by
 * `round` (float32 where the dtype is), and kept only when strictly simpler, so
 * shrinking through them terminates.
 */
export function simplerValues(value: number, round: (v: number) => number = (v) => v): number[] {
  if (!Number.isFinite(value)) return [0];
  const sign = value < 0 ? -1 : 1;
  const magnitude = Math.abs(value);
  const candidates = [
    0,
    sign,
    -value,
    sign * 2,
    sign * 0.5,
    sign * 2 ** Math.round(Math.log2(magnitude)),
    sign * 10 ** Math.round(Math.log10(magnitude)),
    Math.trunc(value),
    Number(value.toPrecision(1)),
    Number(value.toPrecision(2)),
    Number(value.toPrecision(4)),
  ].map(round);
  const own = complexity(value);
  return [...new Set(candidates)].filter((c) => Number.isFinite(c) && complexity(c) < own);
}

interface ReadableContext {
  /** The wrapped arbitrary's context, to go on with its own shrinking. */
  inner?: unknown;
  /** Set on a value that came from {@link simplerValues}: it shrinks only to simpler ones. */
  readable?: true;
}

/**
 * A double arbitrary whose shrinking tries readable numbers in `[min, max]` first
 * ({@link simplerValues}), and only then the wrapped arbitrary's own shrinks (fast-check's
 * doubles shrink towards 0 through the subnormals): a counterexample reads `g = 1 ->
 * x = -0.3` wherever the failure persists with such a value, and keeps the tiny or huge
 * value where the failure needs it. Generation is the wrapped arbitrary's.
 */
export class ReadableDouble extends fc.Arbitrary<number> {
  constructor(
    private readonly inner: fc.Arbitrary<number>,
    private readonly min: number,
    private readonly max: number,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<number> {
    const drawn = this.inner.generate(mrng, biasFactor);
    return new fc.Value(drawn.value, { inner: drawn.context } satisfies ReadableContext);
  }

  canShrinkWithoutContext(value: unknown): value is number {
    return typeof value === 'number' && (Number.isNaN(value) || (value >= this.min && value <= this.max));
  }

  shrink(value: number, context: unknown): fc.Stream<fc.Value<number>> {
    const own = (context ?? {}) as ReadableContext;
    const readable = simplerValues(value)
      .filter((c) => c >= this.min && c <= this.max)
      .map((c) => new fc.Value(c, { readable: true } satisfies ReadableContext));
    if (own.readable === true) return fc.Stream.of(...readable);
    const innerOk = own.inner !== undefined || this.inner.canShrinkWithoutContext(value);
    const further = innerOk
      ? this.inner
          .shrink(value, own.inner)
          .map((v) => new fc.Value(v.value, { inner: v.context } satisfies ReadableContext))
      : fc.Stream.nil<fc.Value<number>>();
    return fc.Stream.of(...readable).join(further);
  }
}
