import { AdapterError, interruptionName, interruptionText, validateAdapter } from '../adapter/index.js';
import { HostConnection, type RequestLimits } from './host-connection.js';
import type { HostDescription, HostModule } from './host-protocol.js';

/** Bound on a worker's start-up before the module is imported (the checker's own modules, through tsx when run from src/). */
const STARTUP_MS = 30_000;

/** The parameters the worker sent for `operation`, if they are `size` numbers; else the worker's answer is malformed. */
export function workerVector(operation: string, value: unknown, size: number): Float64Array {
  if (!(value instanceof Float64Array) || value.length !== size)
    throw new AdapterError(`${operation}: the adapter's worker sent a malformed answer`, operation);
  return value;
}

/**
 * The state of an isolated adapter across its workers: the worker in use, why
 * every call fails (an interruption, a renewal that failed), the failure of a
 * request nobody waited for (thrown by the next call), and the handles of the
 * instances and schedules made in the worker.
 */
export class WorkerSession {
  /** Why every call fails at once: SIGINT, SIGTERM, `interrupt`. */
  interrupted: string | undefined;
  /** The worker being started or in use, for an abort. */
  private live: HostConnection | undefined;
  /** A renewal that failed: why every call of this subject fails. */
  private unusable: string | undefined;
  /** The failure of a request nobody waited for (a `dispose`), thrown by the next call. */
  private deferred: AdapterError | undefined;
  private nextHandle = 1;
  /** The worker in use, once {@link start} has succeeded. */
  connection!: HostConnection;

  constructor(
    readonly modulePath: string,
    private readonly cwd: string,
    /** Limits of every request but the load. */
    readonly limits: RequestLimits,
    private readonly loadLimits: RequestLimits,
    signal: AbortSignal | undefined,
    /** Another host module for the worker (the browser runner's), else adapter-host. */
    private readonly host?: HostModule,
  ) {
    if (signal === undefined) return;
    const abort = (): void => {
      this.interrupted ??= interruptionText(interruptionName(signal));
      void this.live?.end(this.interrupted);
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  }

  /** A worker that has loaded the module, and what the module declares (validated again in this thread). */
  async start(): Promise<{ connection: HostConnection; description: HostDescription }> {
    if (this.interrupted !== undefined) throw new AdapterError(`load: ${this.interrupted}`, 'load');
    const connection = new HostConnection(this.modulePath, this.cwd, this.host);
    this.live = connection;
    try {
      await connection.ready(STARTUP_MS, this.limits.deadline);
      const answer = await connection.request({ op: 'load' }, this.loadLimits, 'load');
      const description = answer.description;
      // Validated again here: the worker runs the adapter's code, which could have altered the host's.
      const stand = () => undefined;
      validateAdapter(
        {
          ...description,
          create: stand,
          ...(description?.hasSchedule === true ? { schedule: stand } : {}),
          ...(description?.tensors?.tensors === true ? { createTensors: stand } : {}),
        },
        this.modulePath,
      );
      this.connection = connection;
      return { connection, description: description as HostDescription };
    } catch (error) {
      await connection.end('the module failed to load');
      throw error;
    }
  }

  /** The worker for a call of `operation`, unless every call fails. */
  current(operation: string): HostConnection {
    const why = this.interrupted ?? this.unusable;
    if (why !== undefined) throw new AdapterError(`${operation}: ${why}`, operation);
    return this.connection;
  }

  /** Throws the failure of a request nobody waited for, once. */
  takeDeferred(): void {
    const failure = this.deferred;
    this.deferred = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Keeps the first failure of a request nobody waited for, for the next call. */
  defer(failure: AdapterError): void {
    this.deferred ??= failure;
  }

  /** A new handle for an instance or a schedule in the worker. */
  handle(): number {
    return this.nextHandle++;
  }

  /** Starts a fresh worker if the current one ended or hangs; see IsolatedAdapter.renew. */
  async renew(): Promise<void> {
    const { connection } = this;
    // A subject's last requests were not waited for: read their answers (a hang among them ends the worker).
    if (this.interrupted === undefined && connection.broken === undefined && connection.unanswered)
      await connection.request({ op: 'ping' }, this.limits).catch(() => undefined);
    // The previous subject is over: a dispose failure read only now cannot be told apart from this subject's.
    this.deferred = undefined;
    // Busy: a call the checker gave up on is still running there (a hang the guard's own timer ended first).
    if (
      this.interrupted !== undefined ||
      (connection.broken === undefined && !connection.unanswered && this.unusable === undefined)
    )
      return;
    await connection.end('replaced by a fresh worker');
    if (this.limits.deadline - Date.now() <= 0) {
      this.unusable = 'total timeout: the time limit of the whole check (--total-timeout) expired';
      return;
    }
    try {
      await this.start();
      this.unusable = undefined;
    } catch (error) {
      this.unusable = `a fresh worker could not load the adapter: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** Ends the worker now: every pending and later call fails with `reason`. */
  interrupt(reason: string): void {
    this.interrupted ??= reason;
    void this.connection.end(reason);
  }
}
