import { describeValue, type Dtype, type OptimizerName, type ScheduleName } from '../reference/index.js';
import { precisionProblem, requireTensorSupport, type TensorSupport } from '../adapter/index.js';
import { PROTOCOL_VERSION } from './messages.js';
import { type Arithmetic, CHECKED_DTYPES, dtypeChoices, type Precision, requireArithmetic } from '../numerics/index.js';

const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];
const SCHEDULES: readonly ScheduleName[] = ['step', 'exponential', 'inverse-time'];

/** What a child declares about itself in its `hello` answer (docs/protocol.md, "hello"). */
export interface Handshake {
  protocol: number;
  name: string;
  dtype: Dtype;
  /** Mixed precision, where declared (docs/protocol.md, "hello"). */
  precision?: Partial<Precision>;
  /** Its declared arithmetic (absent in `hello`: IEEE-754, and absent here). */
  arithmetic?: Arithmetic;
  optimizers: OptimizerName[];
  schedules: ScheduleName[];
  /** The uses of docs/spec.md section 9 it declares (absent: none, and it is never sent their ops). */
  tensors?: TensorSupport;
}

function nameList<T extends string>(field: string, value: unknown, known: readonly T[]): T[] {
  if (!Array.isArray(value)) throw new TypeError(`${field} must be an array of names, got ${describeValue(value)}`);
  const seen = new Set<T>();
  value.forEach((entry, i) => {
    if (!(known as readonly unknown[]).includes(entry)) {
      throw new RangeError(`${field}[${i}] must be one of ${known.join(', ')}, got ${describeValue(entry)}`);
    }
    if (seen.has(entry as T)) throw new RangeError(`${field}[${i}] repeats ${JSON.stringify(entry)}`);
    seen.add(entry as T);
  });
  return [...seen];
}

/**
 * Validates a child's `hello` answer, so a misdeclared adapter is refused with
 * an error naming the field and value before any check runs: the protocol
 * version must be {@link PROTOCOL_VERSION}, the name a non-empty string, the
 * dtype one of CHECKED_DTYPES (it sets the checker's tolerances), the optional
 * mixed `precision` each a dtype that holds the dtype's values, the
 * optional arithmetic one of ARITHMETICS (a shader's with dtype float32 only), the
 * optimizer and schedule names those of docs/spec.md, and the optional `tensors`
 * declaration a {@link TensorSupport}.
 */
export function parseHandshake(answer: Record<string, unknown>): Handshake {
  if (answer.protocol !== PROTOCOL_VERSION) {
    throw new RangeError(
      `protocol must be ${PROTOCOL_VERSION} (the version this optimspec speaks), got ${describeValue(answer.protocol)}`,
    );
  }
  if (typeof answer.name !== 'string' || answer.name.trim() === '') {
    throw new TypeError(`name must be a non-empty string, got ${describeValue(answer.name)}`);
  }
  if (!(CHECKED_DTYPES as readonly unknown[]).includes(answer.dtype)) {
    throw new TypeError(`dtype must be ${dtypeChoices(CHECKED_DTYPES)}, got ${describeValue(answer.dtype)}`);
  }
  const precision = precisionProblem('precision', answer.precision, answer.dtype as Dtype);
  if (precision !== undefined) throw new TypeError(precision);
  const arithmetic = requireArithmetic('arithmetic', answer.arithmetic, answer.dtype as string);
  const optimizers = nameList('optimizers', answer.optimizers, OPTIMIZERS);
  const schedules = answer.schedules === undefined ? [] : nameList('schedules', answer.schedules, SCHEDULES);
  const handshake: Handshake = {
    protocol: PROTOCOL_VERSION,
    name: answer.name,
    dtype: answer.dtype as Dtype,
    optimizers,
    schedules,
  };
  if (answer.precision !== undefined) handshake.precision = { ...(answer.precision as Partial<Precision>) };
  if (answer.arithmetic !== undefined) handshake.arithmetic = arithmetic;
  if (answer.tensors !== undefined) handshake.tensors = requireTensorSupport('tensors', answer.tensors);
  return handshake;
}
