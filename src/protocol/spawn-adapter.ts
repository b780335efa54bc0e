import {
  type Adapter,
  interruptionName,
  interruptionText,
  type TensorsSpec,
  timesOwnCallsKey,
  UnsupportedValue,
} from '../adapter/index.js';
import { describeValue, type OptimizerConfig, optionalPositive, type ScheduleConfig } from '../reference/index.js';
import { ChildSession } from './child-session.js';
import { Connection } from './connection.js';
import { parseHandshake } from './handshake.js';
import { PROTOCOL_VERSION } from './messages.js';
import { withPythonHelper } from './python-helper.js';
import { parseCommandLine } from './split-command.js';
import {
  type SpawnedStepper,
  spawnedSchedule,
  spawnedScheduleValues,
  spawnedStepper,
  spawnedTensorStepper,
} from './spawned-stepper.js';

export type { SpawnedStepper } from './spawned-stepper.js';

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
  const timeoutMs = optionalPositive('options.timeoutMs', options.timeoutMs, 10_000);
  const handshakeTimeoutMs = optionalPositive('options.handshakeTimeoutMs', options.handshakeTimeoutMs, 60_000);
  const closeTimeoutMs = optionalPositive('options.closeTimeoutMs', options.closeTimeoutMs, 2000);
  const stderrLines = optionalPositive('options.stderrLines', options.stderrLines, 20);
  const maxLineLength = optionalPositive('options.maxLineLength', options.maxLineLength, DEFAULT_MAX_LINE);
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
  const session = new ChildSession(connection, timeoutMs, options.deadline ?? Number.POSITIVE_INFINITY);

  let hello: ReturnType<typeof parseHandshake>;
  try {
    const answer = await session.ask('hello', { protocol: PROTOCOL_VERSION }, { ms: handshakeTimeoutMs });
    hello = session.decode('hello', () => parseHandshake(answer));
  } catch (error) {
    await connection.close(closeTimeoutMs);
    throw error;
  }

  return {
    [timesOwnCallsKey]: true,
    name: hello.name,
    dtype: hello.dtype,
    ...(hello.precision === undefined ? {} : { precision: hello.precision }),
    ...(hello.arithmetic === undefined ? {} : { arithmetic: hello.arithmetic }),
    optimizers: hello.optimizers,
    schedules: hello.schedules,
    argv,
    protocol: hello.protocol,
    get pid() {
      return connection.pid;
    },
    create: (config, x0) => spawnedStepper(session, config, x0),
    ...(hello.tensors === undefined
      ? {}
      : { tensors: hello.tensors, createTensors: (spec: TensorsSpec) => spawnedTensorStepper(session, spec) }),
    ...(hello.schedules.length > 0 ? { schedule: (config: ScheduleConfig) => spawnedSchedule(session, config) } : {}),
    scheduleValues: (config, t) => spawnedScheduleValues(session, config, t),
    stderr: () => connection.tail.toString(),
    close: () => connection.close(closeTimeoutMs),
    interrupt: (reason: string) => connection.abort(reason),
  };
}
