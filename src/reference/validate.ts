import { DTYPES, rounderFor, storageFor } from '../numerics/index.js';
import type { Conventions, Dtype, FloatVector, VariantId } from './types.js';

/** Renders a value for an error message so that NaN, -0 and non-numbers stay visible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return `a ${typeof value}`;
}

function requireNumber(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${field} must be a number, got ${describeValue(value)}`);
}

/** A learning rate, epsilon or initial accumulator: finite and >= 0. */
export function requireNonNegative(field: string, value: unknown): asserts value is number {
  requireNumber(field, value);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${field} must be a finite number >= 0, got ${describeValue(value)}`);
  }
}

/** rho, decay_rate, beta1, beta2: in [0, 1), as the lecture's friction and decay factors. */
export function requireUnitInterval(field: string, value: unknown): asserts value is number {
  requireNumber(field, value);
  if (!(value >= 0 && value < 1)) {
    throw new RangeError(`${field} must be in [0, 1), got ${describeValue(value)}`);
  }
}

/** A step-decay `every`: a positive integer number of epochs. */
export function requirePositiveInteger(field: string, value: unknown): asserts value is number {
  requireNumber(field, value);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${field} must be a positive integer, got ${describeValue(value)}`);
  }
}

/** A step-decay `factor`: in (0, 1], so the schedule decays (or stays constant). */
export function requireDecayFactor(field: string, value: unknown): asserts value is number {
  requireNumber(field, value);
  if (!(value > 0 && value <= 1)) {
    throw new RangeError(`${field} must be in (0, 1], got ${describeValue(value)}`);
  }
}

/** A schedule time: a non-negative integer epoch or iteration, counted from 0. */
export function requireTime(field: string, value: unknown): asserts value is number {
  requireNumber(field, value);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${describeValue(value)}`);
  }
}

/** An optional option that must be a number > 0 (a time limit, a count): its value, or `fallback` when absent. */
export function optionalPositive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0))
    throw new RangeError(`${field} must be a number > 0, got ${describeValue(value)}`);
  return value;
}

/** Checks the `optimizer` / `schedule` tag of a config object. */
export function requireTag(field: string, value: unknown, expected: string): void {
  if (value !== expected)
    throw new TypeError(`${field} must be ${JSON.stringify(expected)}, got ${describeValue(value)}`);
}

/** Checks that a config is a plain object before its fields are read. */
export function requireObject(field: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${field} must be an object, got ${describeValue(value)}`);
  }
}

/** Rejects convention ids a rule cannot be built with, and malformed values. */
export function validateConventions(
  rule: string,
  allowed: readonly VariantId[],
  conventions: Conventions | undefined,
): void {
  if (conventions === undefined) return;
  requireObject('conventions', conventions);
  for (const [id, value] of Object.entries(conventions)) {
    if (value === undefined || value === false) continue;
    if (!(allowed as readonly string[]).includes(id)) {
      throw new RangeError(
        `conventions: ${rule} has no convention ${JSON.stringify(id)} (it has ${allowed.length ? allowed.join(', ') : 'none'})`,
      );
    }
    if (id === 'initial-accumulator') requireNonNegative(`conventions['initial-accumulator']`, value);
    else if (value !== true) throw new TypeError(`conventions['${id}'] must be a boolean, got ${describeValue(value)}`);
  }
  if (conventions['epsilon-hat'] === true && conventions['no-bias-correction'] === true) {
    throw new RangeError(
      `conventions: 'epsilon-hat' folds the bias correction into the step size, so it cannot be combined with 'no-bias-correction'`,
    );
  }
}

function quoted(names: readonly string[]): string {
  const list = names.map((n) => `'${n}'`);
  return list.length < 2 ? list.join('') : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
}

/** Validates a dtype name against `allowed` (every dtype unless told). */
export function requireDtype(
  field: string,
  value: unknown,
  allowed: readonly Dtype[] = DTYPES,
): asserts value is Dtype {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new TypeError(`${field} must be ${quoted(allowed)}, got ${describeValue(value)}`);
  }
}

/** Validates a vector length. */
export function requireSize(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${describeValue(value)}`);
  }
}

/**
 * The parameter vector must be the optimizer's own typed array (it is updated in place). For
 * float16 and bfloat16, held in a Float64Array, every element must be a value of the dtype
 * (NaN included), as a Float32Array can only hold float32 values: checked before anything changes.
 */
export function requireParameters(x: unknown, dtype: Dtype, size: number): asserts x is FloatVector {
  const ctor = storageFor(dtype);
  if (!(x instanceof ctor)) {
    throw new TypeError(`x must be a ${ctor.name} for a ${dtype} optimizer, got ${describeValue(x)}`);
  }
  if (x.length !== size) throw new RangeError(`x must have length ${size}, got length ${x.length}`);
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const r = rounderFor(dtype);
    for (let i = 0; i < size; i++) {
      const v = x[i]!;
      if (r(v) !== v && !Number.isNaN(v)) {
        throw new RangeError(
          `x[${i}] must be a ${dtype} value (round it with ${r.name} first), got ${describeValue(v)}, which rounds to ${describeValue(r(v))}`,
        );
      }
    }
  }
}

/** The gradient may be any array-like of numbers of the right length. */
export function requireGradient(dx: unknown, size: number): asserts dx is ArrayLike<number> {
  if (typeof dx !== 'object' || dx === null || typeof (dx as { length?: unknown }).length !== 'number') {
    throw new TypeError(`dx must be an array-like of numbers, got ${describeValue(dx)}`);
  }
  const length = (dx as ArrayLike<unknown>).length;
  if (length !== size) throw new RangeError(`dx must have length ${size}, got length ${length}`);
  if (!ArrayBuffer.isView(dx)) {
    for (let i = 0; i < size; i++) {
      const v = (dx as ArrayLike<unknown>)[i];
      if (typeof v !== 'number') throw new TypeError(`dx[${i}] must be a number, got ${describeValue(v)}`);
    }
  }
}
