import { type IsolatedAdapter, type IsolateOptions, isolateAdapter } from '../isolation/index.js';
import { findChromium } from './chromium.js';

/** Options of {@link openInBrowser}: the worker's, and which Chromium. */
export interface BrowserOptions extends Omit<IsolateOptions, 'host'> {
  /** Chromium's executable (default: the first Chromium on the PATH, see findChromium). */
  chromium?: string;
}

/**
 * Loads an adapter module in a page of headless Chromium and returns it as the worker
 * isolation does ({@link isolateAdapter}, same options and promises): the worker thread
 * relays each request to the page (src/browser/browser-host.ts), so a hang, a crash or an
 * error of the page is an AdapterError for that call, and the per-call timeout, the deadline
 * and `signal` end the browser with the worker. Throws an Error naming the install command
 * when no Chromium is found.
 */
export function openInBrowser(modulePath: string, options: BrowserOptions = {}): Promise<IsolatedAdapter> {
  const chromium = findChromium(options.chromium);
  const here = import.meta.url;
  const url = new URL(`./browser-host.${here.endsWith('.ts') ? 'ts' : 'js'}`, here).href;
  const { chromium: _given, ...isolate } = options;
  return isolateAdapter(modulePath, { ...isolate, host: { url, data: { chromium } } });
}
