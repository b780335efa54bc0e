import { performance } from 'node:perf_hooks';
import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { AdapterError, UnsupportedValue } from '../adapter/index.js';
import { type Answer, exitReason, parseAnswerLine } from './answer-line.js';
import { killChildGroup, trackChild, untrackChild } from './child-registry.js';
import type { ProtocolOp } from './messages.js';
import { openChild, type RelayClient, type RelayEvent, releaseChild } from './relay-thread.js';
import { StderrTail } from './stderr-tail.js';

/** How a {@link Connection} starts and watches its child. */
export interface ConnectionOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Lines of stderr quoted in errors. */
  stderrLines: number;
  /** A stdout line longer than this many bytes (UTF-8) is garbage: the child is killed. */
  maxLineLength: number;
  onStderr?: (text: string) => void;
  onTraffic?: (direction: 'send' | 'receive', line: string) => void;
}

export type { Answer } from './answer-line.js';

type Outcome = { ok: true; answer: Answer } | { ok: false; error: AdapterError | UnsupportedValue };

interface Pending {
  op: ProtocolOp;
  settle(outcome: Outcome): void;
  timer?: ReturnType<typeof setTimeout>;
}

/** What a request expects beyond its timeout. */
export interface RequestOptions {
  /**
   * How many numbers its answer carries: the line cap rises to hold them, at
   * {@link BYTES_PER_NUMBER} each, when that is more than `maxLineLength`.
   */
  answerNumbers?: number;
  /** The reason the child is killed for when the timeout passes (default: it is named hung). */
  hung?: string;
}

/**
 * Room for one number of an answer: the longest shortest round-trip form of a
 * double is 24 characters (`-2.2250738585072014e-308`), with a separator and a
 * space 26; a child printing 17 significant digits and a three-digit exponent
 * with sign needs 25. 32 leaves room for any of these.
 */
const BYTES_PER_NUMBER = 32;

/** The operation name an AdapterError carries (src/adapter/adapter-error.ts). */
function operationOf(op: ProtocolOp): string {
  if (op === 'hello') return 'handshake';
  if (op === 'steps' || op === 'stepTensors') return 'step';
  return op;
}

/**
 * One child process speaking the JSON-lines protocol (docs/protocol.md): sends
 * requests, matches answers by `id`, enforces per-request timeouts, and turns
 * every way a child can misbehave into an {@link AdapterError} that quotes the
 * tail of its stderr. Protocol-breaking events (a crash, a hang, a non-JSON
 * line, an unknown id) are fatal: the child is killed, pending requests are
 * rejected and later ones are rejected at once, so the caller never hangs.
 */
export class Connection implements RelayClient {
  /** The last lines of the child's stderr, quoted by {@link Connection.fail}. */
  readonly tail: StderrTail;
  /** The child's process id, once the relay thread reports that it started. */
  pid: number | undefined;
  private readonly port: MessagePort;
  private readonly counter: Int32Array;
  private readonly pending = new Map<number, Pending>();
  private readonly refusals = new WeakSet<object>();
  private asyncPending = 0;
  private nextId = 1;
  /** Bytes of stdout lines read and not yet acknowledged to the relay thread. */
  private unacknowledged = 0;
  private broken: string | undefined;
  private exited = false;
  private closing: Promise<void> | undefined;
  private closeRequested = false;
  private readonly exitPromise: Promise<void>;
  private resolveExit!: () => void;

  constructor(
    /** The argv of the child, for messages. */
    readonly argv: readonly string[],
    private readonly options: ConnectionOptions,
  ) {
    this.tail = new StderrTail(options.stderrLines);
    this.exitPromise = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
    const channel = new MessageChannel();
    const counterBuffer = new SharedArrayBuffer(4);
    this.counter = new Int32Array(counterBuffer);
    this.port = channel.port1;
    this.port.on('message', (event: RelayEvent) => this.handle(event));
    this.port.unref();
    openChild(this, {
      argv: [...argv],
      cwd: options.cwd,
      env: options.env ?? process.env,
      port: channel.port2,
      counter: counterBuffer,
      maxLineLength: options.maxLineLength,
    });
  }

  /** `"python3 adapter.py" (pid 123)`: how messages name the child. */
  get label(): string {
    return `child ${JSON.stringify(this.argv.join(' '))}${this.pid === undefined ? '' : ` (pid ${this.pid})`}`;
  }

  /** An AdapterError for `op` whose message ends with the child's last stderr lines. */
  fail(op: ProtocolOp, what: string): AdapterError {
    return new AdapterError(`${this.label}: ${op}: ${what}${this.stderrNote()}`, operationOf(op));
  }

  /** A fault of an answer to `op`, worded as on every path (src/adapter/checked-call.ts), naming the child and quoting its stderr. */
  answerFault(op: ProtocolOp, fault: AdapterError): AdapterError {
    return new AdapterError(`${this.label}: ${fault.message}${this.stderrNote()}`, operationOf(op), { cause: fault });
  }

  private stderrNote(): string {
    const lines = this.tail.lines();
    return lines.length > 0 ? `\nlast lines of its stderr:\n  ${lines.join('\n  ')}` : '\n(its stderr is empty)';
  }

  /** True for the error of an `ok: false` answer: the child refused one request, the session goes on. */
  isRefusal(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.refusals.has(error);
  }

  /** Sends a request and resolves with the `ok: true` answer; rejects with an AdapterError. */
  request(
    op: ProtocolOp,
    fields: Record<string, unknown>,
    timeoutMs: number,
    options: RequestOptions = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const refused = this.refusal(op);
      if (refused) {
        reject(refused);
        return;
      }
      const id = this.nextId++;
      const entry: Pending = {
        op,
        settle: (outcome) => {
          this.asyncPending--;
          if (this.asyncPending === 0) this.port.unref();
          if (entry.timer !== undefined) clearTimeout(entry.timer);
          if (outcome.ok) resolve(outcome.answer);
          else reject(outcome.error);
        },
      };
      if (Number.isFinite(timeoutMs)) {
        entry.timer = setTimeout(() => this.timedOut(id, timeoutMs, options.hung), timeoutMs);
      }
      this.asyncPending++;
      this.port.ref();
      this.send(id, op, fields, entry, options.answerNumbers);
    });
  }

  /**
   * Sends a request and blocks until it is answered (for the synchronous
   * `schedule(config)(t)` of the Adapter contract): waits on the shared counter
   * the relay thread bumps, and drains its events with `receiveMessageOnPort`.
   */
  requestSync(
    op: ProtocolOp,
    fields: Record<string, unknown>,
    timeoutMs: number,
    options: RequestOptions = {},
  ): Answer {
    const refused = this.refusal(op);
    if (refused) throw refused;
    const id = this.nextId++;
    let outcome: Outcome | undefined;
    this.send(
      id,
      op,
      fields,
      {
        op,
        settle: (o) => {
          outcome = o;
        },
      },
      options.answerNumbers,
    );
    const deadline = performance.now() + timeoutMs;
    while (outcome === undefined) {
      const seen = Atomics.load(this.counter, 0);
      const received = receiveMessageOnPort(this.port);
      if (received) {
        this.handle(received.message as RelayEvent);
        continue;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        this.timedOut(id, timeoutMs, options.hung);
        break;
      }
      Atomics.wait(this.counter, 0, seen, remaining);
    }
    const result = outcome as Outcome | undefined;
    if (result === undefined) throw this.fail(op, `no answer within ${timeoutMs} ms`);
    if (!result.ok) throw result.error;
    return result.answer;
  }

  /** Asks the child to shut down, then kills it if it has not exited in time; idempotent. */
  close(closeTimeoutMs: number): Promise<void> {
    this.closing ??= (async () => {
      this.closeRequested = true;
      if (!this.exited && this.broken === undefined) {
        await this.request('shutdown', {}, closeTimeoutMs).catch(() => undefined);
      }
      if (this.broken === undefined) this.broken = 'the adapter was closed';
      this.port.postMessage({ type: 'end' });
      if (!(await this.waitExit(closeTimeoutMs))) {
        this.port.postMessage({ type: 'kill' });
        await this.waitExit(1000);
      }
      this.rejectAll(this.broken);
      if (this.pid !== undefined) killChildGroup(this.pid);
      if (this.pid !== undefined) untrackChild(this.pid);
      releaseChild(this);
      this.port.close();
    })();
    return this.closing;
  }

  /**
   * The relay thread failed or ended: the child can no longer be heard, so the connection is broken (its close()
   * still kills the child's group) and a waiting close() goes on.
   */
  relayLost(reason: string): void {
    releaseChild(this);
    this.fatal(reason);
    this.exited = true;
    this.resolveExit();
  }

  /** Kills the child and its process group now: pending and later requests fail with `reason` (SIGINT, SIGTERM). */
  abort(reason: string): void {
    this.fatal(reason);
    if (this.pid !== undefined) killChildGroup(this.pid);
  }

  private refusal(op: ProtocolOp): AdapterError | undefined {
    if (this.broken !== undefined) return this.fail(op, `not sent, the child is unusable: ${this.broken}`);
    if (this.closeRequested && op !== 'shutdown') return this.fail(op, 'not sent, the adapter was closed');
    return undefined;
  }

  private send(id: number, op: ProtocolOp, fields: Record<string, unknown>, entry: Pending, answerNumbers = 0): void {
    this.pending.set(id, entry);
    const line = JSON.stringify({ id, op, ...fields });
    this.options.onTraffic?.('send', line);
    // Room for the answer's numbers and the rest of the object (its error text, say); `ack`: see acknowledge().
    const ack = this.unacknowledged;
    this.unacknowledged = 0;
    this.port.postMessage({ type: 'send', line, answerBytes: answerNumbers * BYTES_PER_NUMBER + 65_536, ack });
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (this.exited) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const result = await Promise.race([this.exitPromise.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  private timedOut(id: number, timeoutMs: number, hung?: string): void {
    // An answer may be queued behind a busy event loop (the caller ran long synchronous
    // work, or a synchronous schedule lookup): read what has arrived before giving up.
    for (let queued = receiveMessageOnPort(this.port); queued; queued = receiveMessageOnPort(this.port)) {
      this.handle(queued.message as RelayEvent);
    }
    const entry = this.pending.get(id);
    if (!entry) return;
    this.fatal(
      hung ??
        `${entry.op} got no answer within ${timeoutMs} ms (--timeout); the child is considered hung and was killed`,
    );
  }

  /** Breaks the connection for good: kills the child and rejects every pending request. */
  private fatal(reason: string): void {
    if (this.broken !== undefined) return;
    this.broken = reason;
    if (!this.exited) this.port.postMessage({ type: 'kill' });
    this.rejectAll(reason);
  }

  private rejectAll(reason: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.settle({ ok: false, error: this.fail(entry.op, reason) });
  }

  private handle(event: RelayEvent): void {
    switch (event.type) {
      case 'spawned':
        this.pid = event.pid;
        trackChild(event.pid);
        break;
      case 'stderr':
        this.tail.push(event.text);
        this.options.onStderr?.(event.text);
        break;
      case 'lines':
        for (const line of event.lines) this.receive(line);
        this.acknowledge(event.lines.reduce((sum, line) => sum + line.length, 0));
        break;
      case 'wide': {
        const line = Buffer.from(event.bytes).toString('utf8');
        this.receive(line.endsWith('\r') ? line.slice(0, -1) : line);
        this.acknowledge(event.bytes.byteLength);
        break;
      }
      case 'junk':
        this.options.onTraffic?.('receive', event.head);
        this.fatal(
          `it wrote a line to stdout that is not a JSON object: ${JSON.stringify(`${event.head.slice(0, 200)}...`)} (${event.bytes} bytes; stdout is reserved for protocol answers; log to stderr)`,
        );
        break;
      case 'overflow':
        this.fatal(
          event.blank
            ? `it wrote ${event.bytes} bytes of whitespace and blank lines to stdout and no answer, more than the line cap of ${event.cap} bytes`
            : `it wrote a stdout line of more than ${event.cap} bytes without a newline`,
        );
        break;
      case 'exit': {
        this.exited = true;
        releaseChild(this);
        if (this.pid !== undefined) untrackChild(this.pid);
        this.fatal(exitReason(event, this.closeRequested));
        this.resolveExit();
        break;
      }
    }
  }

  /** Tells the relay these stdout lines were read: with the next request, or at once from half the line cap. */
  private acknowledge(bytes: number): void {
    this.unacknowledged += bytes;
    if (this.unacknowledged < this.options.maxLineLength / 2 || this.exited) return;
    this.port.postMessage({ type: 'ack', bytes: this.unacknowledged });
    this.unacknowledged = 0;
  }

  private receive(line: string): void {
    if (this.broken !== undefined) return;
    this.options.onTraffic?.('receive', line);
    const read = parseAnswerLine(line);
    if ('fatal' in read) {
      this.fatal(read.fatal);
      return;
    }
    const { answer, snippet } = read;
    const id = answer.id;
    const entry = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!entry) {
      this.fatal(
        `it answered with id ${JSON.stringify(id)}, which no request is waiting for: ${JSON.stringify(snippet)}`,
      );
      return;
    }
    this.pending.delete(id as number);
    if (answer.ok === true) entry.settle({ ok: true, answer });
    else if (answer.ok === false) {
      const message = typeof answer.error === 'string' ? answer.error : JSON.stringify(answer.error);
      if (answer.unsupported === true) {
        // A declared refusal of one configuration (docs/protocol.md): the check is skipped, the session goes on.
        entry.settle({ ok: false, error: new UnsupportedValue(message) });
        return;
      }
      const error = this.fail(entry.op, `the child answered ok:false: ${message}`);
      this.refusals.add(error);
      entry.settle({ ok: false, error });
    } else {
      entry.settle({
        ok: false,
        error: this.fail(entry.op, `its answer has no "ok": true or false: ${JSON.stringify(snippet)}`),
      });
    }
  }
}
