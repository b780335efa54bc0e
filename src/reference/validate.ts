import type { Conventions, VariantId } from './types.js';

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
