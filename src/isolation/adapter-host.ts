import { errorText } from '../adapter/index.js';
import { safeText, userFrames } from './host-faults.js';
import { HostState, perform } from './host-handlers.js';
import { HOST_CALLS, type HostData, type HostMessage } from './host-protocol.js';
import { HostPump } from './host-pump.js';

/**
 * Runs in the worker thread of an isolated adapter (see isolateAdapter): loads
 * the module, answers the checker's requests one at a time with plain data
 * (src/isolation/host-handlers.ts, one handler per operation, served in order by
 * src/isolation/host-pump.ts), and reports what would take the thread down
 * (`process.exit`, an uncaught exception, an unhandled rejection) with the
 * adapter's file and line before it ends.
 */
export function serveAdapter(data: HostData): void {
  const { port, modulePath, cwd } = data;
  const signals = new Int32Array(data.signals);
  const callStarted = new Float64Array(data.signals, 16, 1);
  /** Before every call into the adapter: what it is and when it started, for the checker's per-call timeout. */
  const mark = (operation: string): void => {
    Atomics.store(signals, 2, Math.max(0, (HOST_CALLS as readonly string[]).indexOf(operation)));
    callStarted[0] = performance.timeOrigin + performance.now();
  };
  const post = (message: HostMessage | HostMessage[]): void => {
    port.postMessage(message);
    Atomics.add(signals, 1, 1);
    Atomics.notify(signals, 1);
  };
  const state = new HostState(modulePath, cwd, mark, (k) => Atomics.store(signals, 3, k));
  const pump = new HostPump(port, signals, post, (request) => perform(state, request));
  const exit = process.exit.bind(process);
  /** The last message of the thread, after the answers held until then. */
  const fatal = (message: string, error: unknown): void => {
    const where = userFrames(error);
    post(pump.withHeld({ type: 'fatal', message, ...(where === undefined ? {} : { where }) }));
  };
  process.exit = ((code?: unknown) => {
    fatal(`the adapter called process.exit(${code === undefined ? '' : safeText(code)})`, new Error('process.exit'));
    return exit(typeof code === 'number' ? code : 1);
  }) as typeof process.exit;
  process.on('uncaughtException', (error) => {
    fatal(`uncaught exception in the adapter: ${errorText(error)}`, error);
    exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    fatal(`unhandled rejection in the adapter: ${errorText(reason)}`, reason);
    exit(1);
  });
  pump.listen();
  post({ type: 'ready' });
}
