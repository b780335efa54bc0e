import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { AdapterError } from '../adapter/index.js';
import { hostBootstrapSource, hostUrl } from './host-bootstrap-source.js';
import {
  CHILD_PID_CELL,
  HOST_CALLS,
  type HostError,
  type HostMessage,
  type HostModule,
  type HostRequest,
  SIGNAL_BYTES,
} from './host-protocol.js';

/** An answer with `ok: true`; its fields are checked by the caller. */
export type HostAnswer = Extract<HostMessage, { ok: true }>;

/** A request without its id (the connection numbers them). */
export type HostCall = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** How a request ended. */
export type Outcome = { ok: true; answer: HostAnswer } | { ok: false; error: AdapterError };

interface Pending {
  op: string;
  /** False for a request sent with {@link HostConnection.post}: nobody waits on it. */
  awaited: boolean;
  settle(outcome: Outcome): void;
}

/**
 * How long the checker blocks waiting for an answer before it yields to its event
 * loop: a round trip through the event loops costs about 60 us, a synchronous
 * hand-over about 20 us (measured on the 2-core CI machine), and most adapter calls
 * answer within this window. Kept short so that signals and timers are never delayed much.
 */
const FAST_WAIT_MS = 4;

/** Limits of one request: the per-call timeout and the run's deadline (epoch ms). */
export interface RequestLimits {
  timeoutMs: number;
  deadline: number;
}

/** The text of an error the host reported, with the adapter's file:line frames. */
export function hostErrorText(error: HostError): string {
  return error.where === undefined ? error.message : `${error.message}\n  ${error.where.split('\n').join('\n  ')}`;
}

/**
 * One worker thread that hosts an adapter module (src/isolation/adapter-host.ts):
 * numbered requests, answers matched by id, a timeout per request, and every way
 * the worker can end (process.exit, an uncaught exception, an unhandled
 * rejection, a hang ended by `terminate`) turned into an {@link AdapterError} for
 * the pending request and every later one. `Worker.terminate` stops a synchronous
 * infinite loop, which no timer of the checker's own thread could.
 */
export class HostConnection {
  /** Why the worker is unusable; set once. */
  broken: string | undefined;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signals: Int32Array;
  /** The pid of a child process the host started (0: none), killed when the worker is ended. */
  private readonly childPid: Int32Array;
  /** When the adapter call in progress in the worker started (epoch ms), written by the host. */
  private readonly callStarted: Float64Array;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Requests nobody waits for, sent with the next awaited one. */
  private outbox: HostRequest[] = [];
  private readonly exited: Promise<void>;
  private readonly started: Promise<void>;
  private markStarted!: (error?: AdapterError) => void;

  constructor(modulePath: string, cwd: string, host?: HostModule) {
    this.started = new Promise((resolve, reject) => {
      this.markStarted = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.started.catch(() => undefined);
    const channel = new MessageChannel();
    const buffer = new SharedArrayBuffer(SIGNAL_BYTES);
    this.signals = new Int32Array(buffer, 0, 4);
    this.callStarted = new Float64Array(buffer, 16, 1);
    this.childPid = new Int32Array(buffer, CHILD_PID_CELL * 4, 1);
    this.port = channel.port1;
    this.worker = new Worker(hostBootstrapSource, {
      eval: true,
      workerData: { ...host?.data, ...hostUrl(host), modulePath, cwd, signals: buffer, port: channel.port2 },
      transferList: [channel.port2],
    });
    this.port.on('message', (message: HostMessage | HostMessage[]) => this.handle(message));
    // Listening refs the port: unref both, so that only a pending request (its timer) keeps Node alive.
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', (error) => this.fail(`the adapter's worker failed: ${error.name}: ${error.message}`));
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.drain();
        this.killChild();
        const hint = code === 13 ? ' (a top-level await in the module that never settles)' : '';
        this.fail(`the adapter's worker ended with exit code ${code}${hint}`);
        resolve();
      });
    });
  }

  /**
   * Resolves once the host serves: the thread's start-up and the checker's own
   * modules loading in it are the checker's cost, bounded by `startupMs` and the
   * deadline, not by the adapter's `--timeout`.
   */
  async ready(startupMs: number, deadline: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = Math.min(startupMs, deadline - Date.now());
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AdapterError(
              limit < startupMs
                ? "total timeout: the time limit of the whole check (--total-timeout) expired while the adapter's worker started"
                : `load: the adapter's worker did not start within ${startupMs} ms (the checker's own start-up in it, before the module's load that --timeout bounds)`,
              'load',
            ),
          ),
        Math.max(0, limit),
      );
    });
    try {
      await Promise.race([this.started, late]);
    } catch (error) {
      this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** True while an awaited request is unanswered (the checker is sequential: only one that it gave up on). */
  get busy(): boolean {
    for (const entry of this.pending.values()) if (entry.awaited) return true;
    return false;
  }

  /** The index of the script the host is running in a `scripts` request (set by the host as it goes). */
  get scriptInProgress(): number {
    return Atomics.load(this.signals, 3);
  }

  set scriptInProgress(index: number) {
    Atomics.store(this.signals, 3, index);
  }

  /** True while any request is unanswered. */
  get unanswered(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Queues a request nobody waits for; it is sent with the next awaited request,
   * and `settle` gets its answer when that request's wait reads it (the host
   * answers in order). No timeout of its own: the next awaited request's covers it.
   */
  post(call: HostCall, operation: string, settle: (outcome: Outcome) => void, limits: RequestLimits): void {
    let settled = false;
    const once = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      settle(o);
    };
    if (this.send(call, operation, once, limits, false) === undefined)
      once({ ok: false, error: this.refusal(operation) });
  }

  /**
   * Sends a request; resolves with the answer, or rejects with an AdapterError.
   * `block`: wait a few milliseconds for a fast answer on this thread before
   * yielding to the event loop; false for a request made ahead of need.
   */
  request(call: HostCall, limits: RequestLimits, operation: string = call.op, block = true): Promise<HostAnswer> {
    let outcome: Outcome | undefined;
    let settle: (o: Outcome) => void = (o) => {
      outcome = o;
    };
    const sentAt = Date.now();
    const id = this.send(call, operation, (o) => settle(o), limits);
    if (id === undefined)
      return Promise.reject(
        outcome === undefined ? this.refusal(operation) : (outcome as { error: AdapterError }).error,
      );
    if (block) this.wait(id, Math.min(FAST_WAIT_MS, this.limit(limits)));
    const done = outcome as Outcome | undefined;
    if (done !== undefined) return done.ok ? Promise.resolve(done.answer) : Promise.reject(done.error);
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Before the first watch: the limit may have passed already (a busy machine, a limit of a few ms), and the
      // timeout then settles the request at once, through this settle.
      settle = (o) => {
        clearTimeout(timer);
        if (this.pending.size === 0) this.port.unref();
        if (o.ok) resolve(o.answer);
        else reject(o.error);
      };
      this.port.ref();
      // Per adapter call, not per request: a script or a closed loop makes many calls in one request. The worker
      // marks when each call starts, so the time the checker's own thread was busy is not counted.
      const watch = (since: number): void => {
        const now = Date.now();
        const started = Math.max(since, this.callStarted[0]!);
        const perCall = started + limits.timeoutMs;
        const left = Math.min(perCall, limits.deadline) - now;
        // The earlier of the two bounds is the one that passed.
        if (left <= 0) this.timedOut(id, limits, limits.deadline <= perCall);
        else timer = setTimeout(() => watch(since), left);
      };
      watch(sentAt);
    });
  }

  /** Sends a request and blocks until it is answered (the synchronous `schedule(config)(t)` of the Adapter contract). */
  requestSync(call: HostCall, limits: RequestLimits, operation: string = call.op): HostAnswer {
    let outcome: Outcome | undefined;
    const id = this.send(
      call,
      operation,
      (o) => {
        outcome = o;
      },
      limits,
    );
    if (id === undefined) throw this.refusal(operation);
    const total = limits.deadline - Date.now() < limits.timeoutMs;
    this.wait(id, this.limit(limits));
    if (outcome === undefined) this.timedOut(id, limits, total);
    const done = outcome as Outcome | undefined;
    if (done === undefined) throw this.refusal(operation);
    if (!done.ok) throw done.error;
    return done.answer;
  }

  /** Ends the worker for good with this reason: pending and later requests fail with it. */
  async end(reason: string): Promise<void> {
    this.fail(reason);
    this.stop();
    await this.exited;
    this.port.close();
  }

  private limit(limits: RequestLimits): number {
    return Math.min(limits.timeoutMs, limits.deadline - Date.now());
  }

  private refusal(operation: string): AdapterError {
    return new AdapterError(`${operation}: not sent: ${this.broken ?? 'the worker is unusable'}`, operation);
  }

  private send(
    call: HostCall,
    operation: string,
    settle: (o: Outcome) => void,
    limits: RequestLimits,
    awaited = true,
  ): number | undefined {
    if (this.broken !== undefined) return undefined;
    if (limits.deadline - Date.now() <= 0) {
      settle({
        ok: false,
        error: new AdapterError(
          `total timeout: the time limit of the whole check (--total-timeout) expired before ${operation}`,
          operation,
        ),
      });
      return undefined;
    }
    const id = this.nextId++;
    this.pending.set(id, { op: operation, awaited, settle });
    const request = (awaited ? { ...call, id } : { ...call, id, quiet: true }) as HostRequest;
    if (!awaited) {
      // Goes with the next awaited request, in one message: a cross-thread send costs tens of microseconds on a busy machine.
      this.outbox.push(request);
      return id;
    }
    const batch = this.outbox;
    this.outbox = [];
    batch.push(request);
    this.port.postMessage(batch.length === 1 ? request : batch);
    Atomics.add(this.signals, 0, 1);
    Atomics.notify(this.signals, 0);
    return id;
  }

  /** Blocks up to `ms` for request `id`'s answer, handling every message that arrives meanwhile. */
  private wait(id: number, ms: number): void {
    const until = performance.now() + ms;
    while (this.pending.has(id)) {
      const seen = Atomics.load(this.signals, 1);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) {
        this.handle(received.message as HostMessage | HostMessage[]);
        continue;
      }
      const remaining = until - performance.now();
      if (remaining <= 0) return;
      Atomics.wait(this.signals, 1, seen, remaining);
    }
  }

  private drain(): void {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port))
      this.handle(m.message as HostMessage | HostMessage[]);
  }

  /** `total`: the run's deadline was the bound that passed, not the per-call one. */
  private timedOut(id: number, limits: RequestLimits, total: boolean): void {
    this.drain();
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    const op = this.operationOf(entry);
    const reason = total
      ? `total timeout: the time limit of the whole check (--total-timeout) expired during ${op}; the adapter's worker was terminated`
      : `${op}: no answer within ${limits.timeoutMs} ms (a hang, or a synchronous infinite loop); the adapter's worker was terminated (--timeout sets the limit)`;
    this.fail(reason);
    this.stop();
  }

  /** Ends the worker and the host's child process: a worker ended by `terminate` cannot end its child itself. */
  private stop(): void {
    this.killChild();
    void this.worker.terminate();
  }

  private killChild(): void {
    const pid = Atomics.exchange(this.childPid, 0, 0);
    if (pid <= 0) return;
    // Its process group first (Chromium's renderers), then the process itself where it leads no group.
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
        return;
      } catch {
        // No such group, or it had ended already.
      }
    }
  }

  /** What a request was doing: a script (many calls in one request) names the adapter call in progress. */
  private operationOf(entry: Pending): string {
    return entry.op === 'script' ? (HOST_CALLS[Atomics.load(this.signals, 2)] ?? 'step') : entry.op;
  }

  private fail(reason: string): void {
    if (this.broken === undefined) this.broken = reason;
    this.markStarted(new AdapterError(`load: ${this.broken}`, 'load'));
    const entries = [...this.pending.values()];
    this.pending.clear();
    this.port.unref();
    for (const entry of entries) {
      const op = this.operationOf(entry);
      const text =
        this.broken.startsWith(`${op}:`) || this.broken.startsWith('total timeout')
          ? this.broken
          : `${op}: ${this.broken}`;
      entry.settle({ ok: false, error: new AdapterError(text, op) });
    }
  }

  private handle(received: HostMessage | HostMessage[]): void {
    if (Array.isArray(received)) {
      for (const message of received) this.handle(message);
      return;
    }
    const message = received;
    if ('type' in message && message.type === 'ready') {
      this.markStarted();
      return;
    }
    if ('type' in message) {
      const where = message.where === undefined ? '' : `\n  ${message.where.split('\n').join('\n  ')}`;
      this.fail(`${message.message}${where}`);
      this.stop();
      return;
    }
    const entry = this.pending.get(message.id);
    if (entry === undefined) return;
    this.pending.delete(message.id);
    if (message.ok) entry.settle({ ok: true, answer: message });
    else
      entry.settle({
        ok: false,
        error: new AdapterError(hostErrorText(message.error), message.error.operation, { cause: message.error }),
      });
  }
}
