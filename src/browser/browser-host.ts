import { appendFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import {
  CHILD_PID_CELL,
  HOST_CALLS,
  type HostData,
  type HostMessage,
  type HostRequest,
  HostPump,
} from '../isolation/index.js';
import { bundlePage } from './bundle.js';

/** `workerData` of the browser runner's host: the worker's, and the Chromium to launch. */
export interface BrowserHostData extends HostData {
  chromium: string;
  /** A file to which the host appends the profile folder of the browser it launched, for the checker to remove. */
  profiles: string;
}

/** The page's address: never fetched, every request to it is answered by the host (page.route). */
const ORIGIN = 'http://optimspec.invalid';
/** The extensions loadAdapter accepts; esbuild reads them all. */
const EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

/** The kind of adapter call a request makes (an index of HOST_CALLS), for the checker's per-call timeout. */
function callOf(op: HostRequest['op']): number {
  const call = op === 'scripts' || op === 'stepTensors' ? 'step' : op === 'values' ? 'schedule' : op;
  return Math.max(0, (HOST_CALLS as readonly string[]).indexOf(call));
}

/** The refusal of a `load` whose module cannot be read, in loadAdapter's words. */
async function moduleFile(modulePath: string, cwd: string): Promise<string> {
  const file = resolve(cwd, modulePath);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile())
    throw {
      operation: 'load',
      message: `adapter module ${JSON.stringify(modulePath)} not found (looked for ${file})`,
      reason: 'missing',
    };
  const ext = extname(file).toLowerCase();
  if (!EXTENSIONS.has(ext))
    throw {
      operation: 'load',
      message: `adapter module ${JSON.stringify(modulePath)} must end in .js, .mjs, .cjs, .ts, .mts or .cts, got ${JSON.stringify(ext || '(none)')}`,
      reason: 'extension',
    };
  return file;
}

/**
 * The page host's message for `request`. When the page goes away under the call (a
 * navigation, a crash), the host goes with it, as a worker's with process.exit: `gone`
 * reports it and the answer never comes.
 */
function askPage(page: Page, request: HostRequest, gone: (message: string) => void): Promise<unknown> {
  return page
    .evaluate((r) => {
      const host = (globalThis as { __optimspec?: { serve(r: unknown): Promise<unknown> } }).__optimspec;
      if (host === undefined) throw new Error("the page's host did not start");
      return host.serve(r);
    }, request)
    .catch((error: unknown) => {
      gone(
        `the adapter's page went away during ${request.op} (a navigation, a crash): ${error instanceof Error ? error.message : String(error)}`,
      );
      return new Promise<never>(() => {});
    });
}

/**
 * Runs in the worker thread of an adapter checked with `--browser` (see openInBrowser), in
 * place of src/isolation/adapter-host.ts: launches headless Chromium (its pid in the shared
 * cells, so that the checker kills it with the worker), bundles the module with the page's
 * host, and relays each request to the page in order through the worker's own pump. The
 * checker's side is the worker's: its per-call timeout, deadline and signals end this thread
 * and the browser. An uncaught error, an unhandled rejection, a crash or a close of the page
 * is this thread's `fatal` message, as they are in the worker.
 */
export function serveAdapter(data: BrowserHostData): void {
  const { port, modulePath, cwd } = data;
  const signals = new Int32Array(data.signals);
  const callStarted = new Float64Array(data.signals, 16, 1);
  const post = (message: HostMessage | HostMessage[]): void => {
    port.postMessage(message);
    Atomics.add(signals, 1, 1);
    Atomics.notify(signals, 1);
  };
  const mark = (call: number, at: number): void => {
    Atomics.store(signals, 2, call);
    callStarted[0] = at;
  };
  let page: Page | undefined;
  let script = '';
  let ended = false;
  const relay = async (request: HostRequest): Promise<Record<string, unknown>> => {
    if (page === undefined) throw { operation: request.op, message: 'the browser page is not open' };
    mark(callOf(request.op), Date.now());
    if (request.op === 'load') {
      const file = await moduleFile(modulePath, cwd);
      try {
        script = await bundlePage(file, modulePath);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        throw {
          operation: 'load',
          message: `adapter module ${JSON.stringify(modulePath)} failed to load: it cannot be bundled for the browser: ${text}`,
          reason: 'import',
        };
      }
      await page.goto(`${ORIGIN}/`);
    }
    const message = await askPage(page, request, fatal);
    const answer = message as HostMessage & { ok: boolean };
    if (answer.ok === false) throw (answer as { error: unknown }).error;
    const { id: _id, ok: _ok, ...fields } = answer as Record<string, unknown>;
    return fields;
  };
  const pump = new HostPump(port, signals, post, (request) => relay(request));
  const fatal = (message: string, where?: string): void => {
    if (ended) return;
    ended = true;
    post(pump.withHeld({ type: 'fatal', message, ...(where ? { where } : {}) }));
  };
  const start = async (): Promise<void> => {
    const { chromium } = await import('playwright-core');
    const server = await chromium.launchServer({ executablePath: data.chromium, headless: true });
    const pid = server.process().pid;
    if (pid !== undefined) Atomics.store(signals, CHILD_PID_CELL, pid);
    const profile = server
      .process()
      .spawnargs.find((arg) => arg.startsWith('--user-data-dir='))
      ?.slice('--user-data-dir='.length);
    if (profile !== undefined) await appendFile(data.profiles, `${profile}\n`);
    const browser = await chromium.connect(server.wsEndpoint());
    browser.on('disconnected', () => fatal("the adapter's browser ended"));
    page = await browser.newPage();
    page.on('crash', () => fatal("the adapter's page crashed"));
    page.on('close', () => fatal("the adapter's page was closed"));
    page.on('pageerror', (error) => fatal(`uncaught exception in the adapter's page: ${error.message}`));
    page.on('framenavigated', (frame) => {
      if (frame === page?.mainFrame() && frame.url() !== `${ORIGIN}/`)
        fatal(`the adapter navigated its page away (to ${frame.url()})`);
    });
    await page.exposeFunction('__optimspecMark', (call: number, k: number, at: number) => {
      mark(call, at);
      Atomics.store(signals, 3, k);
    });
    await page.exposeFunction('__optimspecFatal', (message: string, where: string) => fatal(message, where));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/')
        return route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>',
        });
      if (path === '/page.js') return route.fulfill({ contentType: 'text/javascript', body: script });
      return route.fulfill({ status: 404, body: `${path}: not served by the checker` });
    });
    pump.listen();
    post({ type: 'ready' });
  };
  start().catch((error: unknown) => {
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
    fatal(`Chromium could not be started (${data.chromium}): ${text}`);
  });
}
