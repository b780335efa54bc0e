import { AdapterLoadError, errorText, validateAdapter } from '../adapter/index.js';
import { asHostError, HOST_CALLS, type HostMessage, type HostRequest, HostState, perform } from '../isolation/index.js';

/** The page's bindings to its host in the worker (src/browser/browser-host.ts), and what the page offers it. */
interface PageGlobals {
  /** The adapter call in progress: its kind (an index of HOST_CALLS), the script of a batch, when it started (epoch ms). */
  __optimspecMark?: (call: number, script: number, at: number) => void;
  /** The page is about to be unusable: an uncaught error or an unhandled rejection of the adapter. */
  __optimspecFatal?: (message: string, where: string) => void;
  __optimspec?: { serve(request: HostRequest): Promise<HostMessage> };
}

/**
 * How often the page reports the adapter call in progress, in milliseconds: each report is a
 * message to the worker (a law's batch makes thousands of calls); a call that hangs is reported
 * at most this late, so the per-call timeout ends it at most this much early.
 */
const MARK_EVERY_MS = 20;

/** The adapter of the bundled module's namespace, checked as loadAdapter checks an imported one. */
function adapterOf(modulePath: string, mod: Record<string, unknown>): unknown {
  if (!('default' in mod) || mod.default === undefined) {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    throw new AdapterLoadError(
      `adapter module ${JSON.stringify(modulePath)} has no default export${names.length ? ` (it exports ${names.join(', ')})` : ''}; write \`export default adapter\``,
      'invalid',
    );
  }
  const value = mod.default as { __esModule?: unknown; default?: unknown } | null;
  return typeof value === 'object' && value !== null && value.__esModule === true && 'default' in value
    ? value.default
    : value;
}

/**
 * Runs in the page (bundled with the adapter module by src/browser/bundle.ts): serves the
 * host protocol's requests with the worker's own handlers (src/isolation/host-handlers.ts),
 * one at a time as the worker's host does, and reports what would end the page.
 */
export function servePage(modulePath: string, load: () => Promise<Record<string, unknown>>): void {
  const page = globalThis as unknown as PageGlobals;
  let call = 0;
  let script = 0;
  let sent = Number.NEGATIVE_INFINITY;
  const mark = (operation: string): void => {
    call = Math.max(0, (HOST_CALLS as readonly string[]).indexOf(operation));
    const now = performance.timeOrigin + performance.now();
    if (now - sent < MARK_EVERY_MS) return;
    sent = now;
    void page.__optimspecMark?.(call, script, now);
  };
  const state = new HostState(
    modulePath,
    '/',
    mark,
    (k) => {
      script = k;
    },
    async () => {
      const adapter = adapterOf(modulePath, await load());
      validateAdapter(adapter, modulePath);
      return adapter;
    },
  );
  const fatal = (message: string, error: unknown): void => {
    const stack = (error as { stack?: unknown } | null)?.stack;
    void page.__optimspecFatal?.(message, typeof stack === 'string' ? stack : '');
  };
  const events = globalThis as unknown as {
    addEventListener(
      type: string,
      listener: (event: { message?: string; error?: unknown; reason?: unknown }) => void,
    ): void;
  };
  events.addEventListener('error', (event) =>
    fatal(`uncaught exception in the adapter: ${event.message}`, event.error),
  );
  events.addEventListener('unhandledrejection', (event) =>
    fatal(`unhandled rejection in the adapter: ${errorText(event.reason)}`, event.reason),
  );
  page.__optimspec = {
    async serve(request) {
      let message: HostMessage;
      try {
        message = { id: request.id, ok: true, ...(await perform(state, request)) } as HostMessage;
      } catch (error) {
        message = { id: request.id, ok: false, error: asHostError(request.op, error) };
      }
      // After a turn of the event loop: a rejection the adapter left unhandled is reported first, as in the worker.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return message;
    },
  };
}
