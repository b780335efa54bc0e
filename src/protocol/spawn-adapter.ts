import {
  type Adapter,
  AdapterError,
  copyBatch,
  copyParameters,
  copyTensors,
  decodeState,
  encodeState,
  interruptionName,
  interruptionText,
  prefetchingSchedule,
  type Stepper,
  type TensorStepper,
  type TensorsSpec,
  timesOwnCallsKey,
  type Unsupported,
  UnsupportedValue,
  unsupported,
} from '../adapter/index.js';
import { describeValue, type OptimizerConfig, type ScheduleConfig } from '../reference/index.js';
import { type Answer, Connection, type RequestOptions } from './connection.js';
import { parseHandshake } from './handshake.js';
import { type Handle, PROTOCOL_VERSION, type ProtocolOp, type WireConfig } from './messages.js';
import { withPythonHelper } from './python-helper.js';
import { parseCommandLine } from './split-command.js';
import { encodeNumber, encodeVector, fromWire, WIRE_ELEMENT, type WireNumber } from './wire-number.js';

/** Options of {@link spawnAdapter}; every timeout is in milliseconds. */
export interface SpawnAdapterOptions {
  /** Per request, a batched `steps` included, as the checker times each adapter call (default 10 000). */
  timeoutMs?: number;
  /**
   * For the `hello` answer, interpreter start-up and imports included (default 60 000: PyTorch takes seconds to
   * import, several times that on a busy machine, and a correct child must not fail for it).
   */
  handshakeTimeoutMs?: number;
  /** How long `close()` waits for the child to exit after `shutdown` before killing it (default 2000). */
  closeTimeoutMs?: number;
  /** The child's working directory (default: this process's). */
  cwd?: string;
  /** The child's environment (default: this process's); a command line's leading `NAME=value` words and the Python helper's folder on `PYTHONPATH` are added to it. */
  env?: Record<string, string | undefined>;
  /** How many of the child's last stderr lines an error quotes (default 20). */
  stderrLines?: number;
  /**
   * A stdout line longer than this many bytes (UTF-8) is garbage and kills the child (default 8 MiB), as are
   * this many bytes of blank or whitespace-only lines with no answer between them; a request whose answer
   * needs more room (32 bytes per number it carries) raises the cap to that. Memory stays near the cap.
   */
  maxLineLength?: number;
  /** Epoch milliseconds after which every request fails at once: the whole run's limit, `--total-timeout` (default: none). */
  deadline?: number;
  /** Aborting it kills the child and its process group at once, during the handshake too (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Receives the child's stderr as it arrives, e.g. to forward its logs. */
  onStderr?: (text: string) => void;
  /** Receives every protocol line, for debugging and for schema tests. */
  onTraffic?: (direction: 'send' | 'receive', line: string) => void;
}

/** A Stepper over the protocol: every method is asynchronous, `steps` is always there. */
export interface SpawnedStepper extends Stepper {
  step(grad: Float64Array, learningRate?: number): Promise<Float64Array>;
  steps(grads: readonly Float64Array[], learningRates?: readonly (number | undefined)[]): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}

/** The Adapter of a child process, plus what only a process has. */
export interface SpawnedAdapter extends Adapter {
  /** The connection times every request itself (the guard adds no timer of its own). */
  readonly [timesOwnCallsKey]: true;
  /** The argv the child was started with (no shell). */
  readonly argv: readonly string[];
  /** The protocol version agreed in the handshake. */
  readonly protocol: number;
  /** The child's process id, once it started. */
  readonly pid: number | undefined;
  /** A new instance; a configuration the child refuses as unsupported rejects with {@link UnsupportedValue}. */
  create(config: OptimizerConfig, x0: Float64Array): Promise<SpawnedStepper>;
  /** The schedule's values by blocking round trips; a refused configuration throws {@link UnsupportedValue}. */
  schedule?(config: ScheduleConfig): (t: number) => number;
  /** The last lines the child wrote to stderr. */
  stderr(): string;
  /** Batched schedule values in one round trip (`schedule(config)(t)` costs one per `t`). */
  scheduleValues(config: ScheduleConfig, t: readonly number[]): Promise<Float64Array>;
  /** Sends `shutdown`, waits for the child to exit, kills it if it does not; idempotent. */
  close(): Promise<void>;
  /** Kills the child and its process group now; pending and later calls fail with `reason` (SIGINT, SIGTERM). */
  interrupt(reason: string): void;
}

/**
 * The default line cap: far above any answer of a check (a law's batch of steps is some 100 kB), and low
 * enough that a child filling it costs the checker at most about twice this (the line's bytes, then its text).
 * A request whose answer needs more (the large-vector probe) raises it for itself.
 */
const DEFAULT_MAX_LINE = 8 * 1024 * 1024;

function requirePositive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0))
    throw new RangeError(`options.${field} must be a number > 0, got ${describeValue(value)}`);
  return value;
}

function requireTimes(t: readonly number[]): number[] {
  if (!Array.isArray(t)) throw new TypeError(`t must be an array of times, got ${describeValue(t)}`);
  return t.map((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`t[${i}] must be a non-negative integer, got ${describeValue(v)}`);
    return v;
  });
}

/** A config's fields with numbers encoded for the wire; throws a TypeError naming a field that is neither. */
function encodeConfig(config: OptimizerConfig | ScheduleConfig): WireConfig {
  if (typeof config !== 'object' || config === null)
    throw new TypeError(`config must be an object, got ${describeValue(config)}`);
  const out: WireConfig = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (typeof value === 'number') out[key] = encodeNumber(value);
    else if (typeof value === 'string') out[key] = value;
    else throw new TypeError(`config.${key} must be a number or a string, got ${describeValue(value)}`);
  }
  return out;
}

/**
 * Starts an adapter written in any language as a child process and speaks the
 * JSON-lines protocol of docs/protocol.md with it.
 * `command` is split by {@link parseCommandLine} (or given as argv) and run with
 * `shell: false`; a command line's leading `NAME=value` words are set in the
 * child's environment, and `PYTHONPATH` gets the folder of the Python helper
 * appended ({@link withPythonHelper}), so `python3 my_adapter.py` can import
 * `optimspec_protocol` from any folder. Resolves once the child's `hello` answer is validated; every
 * failure, then and later, is an {@link AdapterError} quoting the child's last
 * stderr lines. Call `close()` when done; a child still running when Node exits
 * is killed.
 */
export async function spawnAdapter(
  command: string | readonly string[],
  options: SpawnAdapterOptions = {},
): Promise<SpawnedAdapter> {
  const { argv, env: assignments } =
    typeof command === 'string' ? parseCommandLine(command) : { argv: [...command], env: {} };
  if (argv.length === 0 || argv.some((a) => typeof a !== 'string') || argv[0] === '') {
    throw new TypeError(
      `command must be a command line or a non-empty array of strings, got ${describeValue(command)}`,
    );
  }
  const timeoutMs = requirePositive('timeoutMs', options.timeoutMs, 10_000);
  const handshakeTimeoutMs = requirePositive('handshakeTimeoutMs', options.handshakeTimeoutMs, 60_000);
  const closeTimeoutMs = requirePositive('closeTimeoutMs', options.closeTimeoutMs, 2000);
  const stderrLines = requirePositive('stderrLines', options.stderrLines, 20);
  const maxLineLength = requirePositive('maxLineLength', options.maxLineLength, DEFAULT_MAX_LINE);
  const connection = new Connection(argv, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: withPythonHelper({ ...(options.env ?? process.env), ...assignments }),
    ...(options.onStderr === undefined ? {} : { onStderr: options.onStderr }),
    ...(options.onTraffic === undefined ? {} : { onTraffic: options.onTraffic }),
    stderrLines,
    maxLineLength,
  });

  const signal = options.signal;
  if (signal !== undefined) {
    const abort = (): void => connection.abort(interruptionText(interruptionName(signal)));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  }

  /** Runs `read` on an answer; a TypeError or RangeError about its fields becomes an AdapterError. */
  const decode = <T>(op: ProtocolOp, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (error instanceof AdapterError) throw error;
      throw connection.fail(op, `its answer is malformed: ${(error as Error).message}`);
    }
  };

  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const totalTimeout = (op: ProtocolOp, when: string, cause?: unknown): AdapterError =>
    new AdapterError(
      `total timeout: the time limit of the whole check (--total-timeout) expired ${when} ${op}`,
      op === 'hello' ? 'handshake' : op,
      { cause },
    );
  /**
   * The per-request timeout, cut to the time left before the deadline (checked before every request), and
   * what the child is killed for when it passes: the deadline that was binding, and the flag that sets it.
   */
  const limit = (op: ProtocolOp, ms: number, answerNumbers: number): { ms: number } & RequestOptions => {
    const left = deadline - Date.now();
    if (left <= 0) throw totalTimeout(op, 'before');
    return left < ms
      ? {
          ms: left,
          answerNumbers,
          hung: `total timeout: the time limit of the whole check (--total-timeout) expired during ${op}; the child was killed`,
        }
      : {
          ms,
          answerNumbers,
          hung: `${op} got no answer within ${ms} ms (--timeout); the child is considered hung and was killed`,
        };
  };
  /** A request cut by the deadline is reported as the total timeout, not as a hang of the child. */
  const ask = async (
    op: ProtocolOp,
    fields: Record<string, unknown>,
    { ms = timeoutMs, answerNumbers = 0 }: { ms?: number; answerNumbers?: number } = {},
  ): Promise<Answer> => {
    try {
      const cut = limit(op, ms, answerNumbers);
      return await connection.request(op, fields, cut.ms, cut);
    } catch (error) {
      if (Date.now() >= deadline && !(error instanceof AdapterError && error.message.startsWith('total timeout')))
        throw totalTimeout(op, 'during', error);
      throw error;
    }
  };
  const askSync = (op: ProtocolOp, fields: Record<string, unknown>, answerNumbers: number): Answer => {
    try {
      const cut = limit(op, timeoutMs, answerNumbers);
      return connection.requestSync(op, fields, cut.ms, cut);
    } catch (error) {
      if (Date.now() >= deadline && !(error instanceof AdapterError && error.message.startsWith('total timeout')))
        throw totalTimeout(op, 'during', error);
      throw error;
    }
  };

  let hello: ReturnType<typeof parseHandshake>;
  try {
    const answer = await ask('hello', { protocol: PROTOCOL_VERSION }, { ms: handshakeTimeoutMs });
    hello = decode('hello', () => parseHandshake(answer));
  } catch (error) {
    await connection.close(closeTimeoutMs);
    throw error;
  }

  /** Checks and copies an answer as every path does (src/adapter/checked-call.ts); a fault names the child. */
  const checked = <T>(op: ProtocolOp, copy: () => T): T => {
    try {
      return copy();
    } catch (error) {
      throw error instanceof AdapterError ? connection.answerFault(op, error) : error;
    }
  };
  const readVector = (op: 'step' | 'schedule', value: unknown, length: number): Float64Array =>
    checked(op, () => copyParameters(fromWire(value), length, op, WIRE_ELEMENT));

  const create = async (config: OptimizerConfig, x0: Float64Array): Promise<SpawnedStepper> => {
    const size = x0.length;
    let answer: Answer;
    try {
      answer = await ask('create', { config: encodeConfig(config), x0: encodeVector(x0) });
    } catch (error) {
      if (error instanceof UnsupportedValue) throw new UnsupportedValue(error.reason, config);
      throw error;
    }
    const handle = decode('create', () => {
      const h = answer.handle;
      if (typeof h === 'string' || (typeof h === 'number' && Number.isSafeInteger(h))) return h as Handle;
      throw new TypeError(`handle must be a string or an integer, got ${describeValue(h)}`);
    });
    let disposed = false;
    const alive = (op: ProtocolOp): void => {
      if (disposed) throw connection.fail(op, `instance ${JSON.stringify(handle)} was disposed`);
    };
    return {
      async step(grad: Float64Array, learningRate?: number): Promise<Float64Array> {
        alive('step');
        const fields: Record<string, unknown> = { handle, grad: encodeVector(grad) };
        if (learningRate !== undefined) fields.learningRate = encodeNumber(learningRate);
        return readVector('step', (await ask('step', fields, { answerNumbers: size })).x, size);
      },
      async steps(
        grads: readonly Float64Array[],
        learningRates?: readonly (number | undefined)[],
      ): Promise<Float64Array[]> {
        alive('steps');
        const fields: Record<string, unknown> = { handle, grads: grads.map((g) => encodeVector(g)) };
        if (learningRates?.some((lr) => lr !== undefined)) {
          if (learningRates.length !== grads.length) {
            throw new RangeError(
              `learningRates must have the length of grads (${grads.length}), got length ${learningRates.length}`,
            );
          }
          fields.learningRates = learningRates.map((lr): WireNumber | null =>
            lr === undefined ? null : encodeNumber(lr),
          );
        }
        const { xs } = await ask('steps', fields, { answerNumbers: grads.length * size });
        return checked('steps', () =>
          copyBatch(Array.isArray(xs) ? xs.map(fromWire) : xs, grads.length, size, WIRE_ELEMENT),
        );
      },
      async dispose(): Promise<void> {
        if (disposed) return;
        disposed = true;
        await ask('dispose', { handle });
      },
    };
  };

  /** An instance over several tensors (docs/spec.md section 9); its state crosses as JSON with the protocol's numbers. */
  const createTensors = async (spec: TensorsSpec): Promise<TensorStepper | Unsupported> => {
    const sizes = spec.groups.flatMap((g) => g.x0.map((x) => x.length));
    let answer: Answer;
    try {
      answer = await ask('createTensors', {
        groups: spec.groups.map((g) => ({
          config: encodeConfig(g.config),
          ...(g.schedule === undefined ? {} : { schedule: encodeConfig(g.schedule) }),
          x0: g.x0.map((x) => encodeVector(x)),
        })),
      });
    } catch (error) {
      if (error instanceof UnsupportedValue) return unsupported(error.reason);
      throw error;
    }
    const handle = decode('createTensors', () => {
      const h = answer.handle;
      if (typeof h === 'string' || (typeof h === 'number' && Number.isSafeInteger(h))) return h as Handle;
      throw new TypeError(`handle must be a string or an integer, got ${describeValue(h)}`);
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    let disposed = false;
    const alive = (op: ProtocolOp): void => {
      if (disposed) throw connection.fail(op, `instance ${JSON.stringify(handle)} was disposed`);
    };
    return {
      async step(grads, learningRates) {
        alive('stepTensors');
        const fields: Record<string, unknown> = {
          handle,
          grads: grads.map((g) => (g === undefined ? null : encodeVector(g))),
        };
        if (learningRates?.some((lr) => lr !== undefined))
          fields.learningRates = learningRates.map((lr): WireNumber | null =>
            lr === undefined ? null : encodeNumber(lr),
          );
        const xs = (await ask('stepTensors', fields, { answerNumbers: total })).xs;
        return checked('stepTensors', () =>
          copyTensors(Array.isArray(xs) ? xs.map(fromWire) : xs, sizes, WIRE_ELEMENT),
        );
      },
      async save() {
        alive('save');
        const answer = await ask('save', { handle }, { answerNumbers: 4 * total });
        return decode('save', () => decodeState(answer.state));
      },
      async restore(state, params) {
        alive('restore');
        await ask('restore', { handle, state: encodeState(state), params: params.map((p) => encodeVector(p)) });
      },
      async dispose() {
        if (disposed) return;
        disposed = true;
        await ask('dispose', { handle });
      },
    };
  };

  const scheduleValues = async (config: ScheduleConfig, t: readonly number[]): Promise<Float64Array> => {
    const times = requireTimes(t);
    let answer: Answer;
    try {
      answer = await ask('schedule', { config: encodeConfig(config), t: times }, { answerNumbers: times.length });
    } catch (error) {
      if (error instanceof UnsupportedValue) throw new UnsupportedValue(error.reason, config);
      throw error;
    }
    return readVector('schedule', answer.values, times.length);
  };

  /**
   * The Adapter contract's schedule is synchronous, so a lookup is a blocking
   * round trip. The config is sent once at once, with no times, so a config the
   * child rejects fails here, as in the reference. Values are fetched ahead
   * (src/adapter/schedule-prefetch.ts): a schedule is a pure function of `t`
   * (docs/protocol.md), and if the child refuses a batch, `t` alone is asked.
   */
  const schedule = (config: ScheduleConfig): ((t: number) => number) => {
    const wire = encodeConfig(config);
    let check: Answer;
    try {
      check = askSync('schedule', { config: wire, t: [] }, 0);
    } catch (error) {
      if (error instanceof UnsupportedValue) throw new UnsupportedValue(error.reason, config);
      throw error;
    }
    readVector('schedule', check.values, 0);
    const lookup = prefetchingSchedule(
      (times) => ({
        values: readVector(
          'schedule',
          askSync('schedule', { config: wire, t: times }, times.length).values,
          times.length,
        ),
      }),
      (error) => connection.isRefusal(error),
    );
    return (t: number): number => lookup(requireTimes([t])[0]!);
  };

  return {
    [timesOwnCallsKey]: true,
    name: hello.name,
    dtype: hello.dtype,
    optimizers: hello.optimizers,
    schedules: hello.schedules,
    argv,
    protocol: hello.protocol,
    get pid() {
      return connection.pid;
    },
    create,
    ...(hello.tensors === undefined ? {} : { tensors: hello.tensors, createTensors }),
    ...(hello.schedules.length > 0 ? { schedule } : {}),
    scheduleValues,
    stderr: () => connection.tail.toString(),
    close: () => connection.close(closeTimeoutMs),
    interrupt: (reason: string) => connection.abort(reason),
  };
}
