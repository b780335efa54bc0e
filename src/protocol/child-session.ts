import { AdapterError, copyParameters } from '../adapter/index.js';
import type { Answer, Connection, RequestOptions } from './connection.js';
import type { ProtocolOp } from './messages.js';
import { fromWire, WIRE_ELEMENT } from './wire-number.js';

/**
 * How a spawned adapter asks its child: every request under the per-request
 * timeout cut to the run's deadline, and every answer read so that a fault in
 * it names the child (its stderr quoted).
 */
export class ChildSession {
  constructor(
    readonly connection: Connection,
    /** Per request (ms), as the checker times each adapter call. */
    private readonly timeoutMs: number,
    /** Epoch ms after which every request fails at once (`--total-timeout`). */
    private readonly deadline: number,
  ) {}

  /** Runs `read` on an answer; a TypeError or RangeError about its fields becomes an AdapterError. */
  decode<T>(op: ProtocolOp, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof AdapterError) throw error;
      throw this.connection.fail(op, `its answer is malformed: ${(error as Error).message}`);
    }
  }

  /** Checks and copies an answer as every path does (src/adapter/checked-call.ts); a fault names the child. */
  checked<T>(op: ProtocolOp, copy: () => T): T {
    try {
      return copy();
    } catch (error) {
      throw error instanceof AdapterError ? this.connection.answerFault(op, error) : error;
    }
  }

  /** A vector of `length` numbers in an answer, checked and copied. */
  readVector(op: 'step' | 'schedule', value: unknown, length: number): Float64Array {
    return this.checked(op, () => copyParameters(fromWire(value), length, op, WIRE_ELEMENT));
  }

  /** A request cut by the deadline is reported as the total timeout, not as a hang of the child. */
  async ask(
    op: ProtocolOp,
    fields: Record<string, unknown>,
    { ms = this.timeoutMs, answerNumbers = 0 }: { ms?: number; answerNumbers?: number } = {},
  ): Promise<Answer> {
    try {
      const cut = this.limit(op, ms, answerNumbers);
      return await this.connection.request(op, fields, cut.ms, cut);
    } catch (error) {
      throw this.overDeadline(op, error);
    }
  }

  /** {@link ask}, blocking: for the contract's synchronous schedule. */
  askSync(op: ProtocolOp, fields: Record<string, unknown>, answerNumbers: number): Answer {
    try {
      const cut = this.limit(op, this.timeoutMs, answerNumbers);
      return this.connection.requestSync(op, fields, cut.ms, cut);
    } catch (error) {
      throw this.overDeadline(op, error);
    }
  }

  private totalTimeout(op: ProtocolOp, when: string, cause?: unknown): AdapterError {
    return new AdapterError(
      `total timeout: the time limit of the whole check (--total-timeout) expired ${when} ${op}`,
      op === 'hello' ? 'handshake' : op,
      { cause },
    );
  }

  /** The error of a failed request: the total timeout if the deadline passed meanwhile. */
  private overDeadline(op: ProtocolOp, error: unknown): unknown {
    if (Date.now() >= this.deadline && !(error instanceof AdapterError && error.message.startsWith('total timeout')))
      return this.totalTimeout(op, 'during', error);
    return error;
  }

  /**
   * The per-request timeout, cut to the time left before the deadline (checked before every request), and
   * what the child is killed for when it passes: the deadline that was binding, and the flag that sets it.
   */
  private limit(op: ProtocolOp, ms: number, answerNumbers: number): { ms: number } & RequestOptions {
    const left = this.deadline - Date.now();
    if (left <= 0) throw this.totalTimeout(op, 'before');
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
  }
}
