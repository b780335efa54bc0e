/**
 * An implementation under test misbehaved (threw, rejected, timed out, returned
 * the wrong length or non-numbers). A law or check that meets one reports
 * `error`, not `fails`: it says nothing about the update rule.
 */
export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  constructor(
    message: string,
    /** What the adapter was doing: `create`, `step`, `schedule`, `dispose`, `handshake`. */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
