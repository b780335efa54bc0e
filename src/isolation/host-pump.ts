import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { asHostError } from './host-faults.js';
import type { HostFields, Served } from './host-handlers.js';
import type { HostMessage, HostRequest } from './host-protocol.js';

/** How long the host serves and waits for requests synchronously before its event loop runs again. */
const PUMP_SLICE_MS = 5;

/**
 * The host's queue and pump: requests are served one at a time, in order; one
 * whose answer is a promise makes the host busy, and later ones wait in the
 * queue. Answers nobody waits for (`quiet` requests) are held and sent with the
 * next answer somebody does wait for, as one message.
 */
export class HostPump {
  private busy = false;
  private readonly queue: HostRequest[] = [];
  private held: HostMessage[] = [];

  constructor(
    private readonly port: MessagePort,
    /** The shared cells: [0] is bumped by the checker per request. */
    private readonly signals: Int32Array,
    /** Sends a message (or several as one) to the checker. */
    private readonly post: (message: HostMessage | HostMessage[]) => void,
    private readonly perform: (request: HostRequest) => Served,
  ) {}

  /** The held answers followed by `last`: what the host sends before its thread ends. */
  withHeld(last: HostMessage): HostMessage[] {
    return [...this.held, last];
  }

  /** Serves what comes on the port from now on. */
  listen(): void {
    this.port.on('message', (message: HostRequest | HostRequest[]) => {
      this.receive(message);
      this.pump();
    });
  }

  private reply(request: HostRequest, message: HostMessage): void {
    if (request.quiet === true) {
      this.held.push(message);
      return;
    }
    const batch = this.held;
    this.held = [];
    batch.push(message);
    this.post(batch.length === 1 ? message : batch);
  }

  private answer(request: HostRequest, fields: HostFields): void {
    this.reply(request, { id: request.id, ok: true, ...fields } as HostMessage);
  }

  private refuse(request: HostRequest, error: unknown): void {
    this.reply(request, { id: request.id, ok: false, error: asHostError(request.op, error) });
  }

  private dispatch(request: HostRequest): void {
    if (this.busy) {
      this.queue.push(request);
      return;
    }
    let result: Served;
    try {
      result = this.perform(request);
    } catch (error) {
      this.refuse(request, error);
      return;
    }
    if (!(result instanceof Promise)) {
      this.answer(request, result);
      return;
    }
    this.busy = true;
    // Answered after a turn of the event loop: a promise the adapter left rejected and unhandled during the work is
    // reported first (process 'unhandledRejection' fires once the microtasks drain), so it is this request's error.
    const settle = (send: () => void): void => {
      setImmediate(() => {
        send();
        this.busy = false;
        while (!this.busy && this.queue.length > 0) this.dispatch(this.queue.shift()!);
        this.pump();
      });
    };
    result.then(
      (fields) => settle(() => this.answer(request, fields)),
      (error: unknown) => settle(() => this.refuse(request, error)),
    );
  }

  /**
   * Serves requests that follow at once without a trip through the event loop
   * (the checker waits synchronously for fast answers), for at most a slice of
   * PUMP_SLICE_MS: then the event loop runs, so that the adapter's own timers,
   * promise jobs and unhandled rejections are not starved by a busy checker.
   */
  private pump(): void {
    const until = performance.now() + PUMP_SLICE_MS;
    let served = false;
    while (!this.busy) {
      const seen = Atomics.load(this.signals, 0);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) {
        this.receive(received.message as HostRequest | HostRequest[]);
        served = true;
        continue;
      }
      const left = until - performance.now();
      if (left <= 0 || Atomics.wait(this.signals, 0, seen, left) === 'timed-out') {
        if (served) setImmediate(() => this.pump());
        return;
      }
    }
  }

  /** One request, or several sent together (queued ones before an awaited one), served in order. */
  private receive(message: HostRequest | HostRequest[]): void {
    if (Array.isArray(message)) for (const request of message) this.dispatch(request);
    else this.dispatch(message);
  }
}
