import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * (synchronously) when no Chromium is found. `close` also removes the browsers' profile folders.
 */
export function openInBrowser(modulePath: string, options: BrowserOptions = {}): Promise<IsolatedAdapter> {
  // Thrown at once, before any worker starts: the CLI makes it a usage error.
  const chromium = findChromium(options.chromium);
  return open(modulePath, chromium, options);
}

async function open(modulePath: string, chromium: string, options: BrowserOptions): Promise<IsolatedAdapter> {
  const here = import.meta.url;
  const url = new URL(`./browser-host.${here.endsWith('.ts') ? 'ts' : 'js'}`, here).href;
  const { chromium: _given, ...isolate } = options;
  // Each browser's profile folder, listed by its host: a browser killed with its worker cannot remove its own.
  const scratch = mkdtempSync(join(tmpdir(), 'optimspec-browser-'));
  const profiles = join(scratch, 'profiles');
  const sweep = (): void => {
    let listed: string[] = [];
    try {
      listed = readFileSync(profiles, 'utf8').split('\n');
    } catch {
      // No browser started.
    }
    for (const folder of [...listed.filter((f) => f !== ''), scratch])
      rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
  };
  let adapter: IsolatedAdapter;
  try {
    adapter = await isolateAdapter(modulePath, { ...isolate, host: { url, data: { chromium, profiles } } });
  } catch (error) {
    sweep();
    throw error;
  }
  const close = adapter.close;
  adapter.close = async () => {
    await close();
    sweep();
  };
  return adapter;
}
