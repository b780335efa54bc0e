import { type MessagePort, Worker } from 'node:worker_threads';
import type { ChildExit } from './answer-line.js';
import { relayWorkerSource } from './relay-worker-source.js';

/** An event of one child, as the relay thread posts it on the child's port (src/protocol/relay-worker-source.ts). */
export type RelayEvent =
  | { type: 'spawned'; pid: number }
  | { type: 'lines'; lines: string[] }
  | { type: 'wide'; bytes: ArrayBuffer }
  | { type: 'junk'; head: string; bytes: number }
  | { type: 'stderr'; text: string }
  | { type: 'overflow'; bytes: number; cap: number; blank: boolean }
  | ({ type: 'exit' } & ChildExit);

/** Whom the relay thread serves: told when the thread fails or ends, since its child can no longer be heard. */
export interface RelayClient {
  relayLost(reason: string): void;
}

/** What the relay thread needs to start a child; its events come on `port`, the signal on `counter`. */
export interface ChildStart {
  argv: string[];
  cwd: string | undefined;
  env: Record<string, string | undefined>;
  port: MessagePort;
  counter: SharedArrayBuffer;
  maxLineLength: number;
}

const served = new Set<RelayClient>();
let relay: Worker | undefined;

/**
 * The one relay thread of this thread's children, started with the first: unref'd, so that it never keeps Node alive
 * (a connection with a request pending refs its own port instead). If it fails or ends, every client it served is
 * told, and the next child starts a new thread.
 */
function relayThread(): Worker {
  if (relay !== undefined) return relay;
  const worker = new Worker(relayWorkerSource, { eval: true, stdout: false, stderr: false });
  worker.unref();
  const lost = (reason: string): void => {
    if (relay === worker) relay = undefined;
    for (const client of [...served]) client.relayLost(reason);
  };
  worker.on('error', (error) => lost(`the relay thread failed: ${error.message}`));
  worker.on('exit', (code) => lost(`the relay thread ended (exit code ${code})`));
  relay = worker;
  return worker;
}

/** Starts a child for `client` in the relay thread (one thread for all: a thread each cost more CPU than a short session). */
export function openChild(client: RelayClient, start: ChildStart): void {
  served.add(client);
  relayThread().postMessage({ type: 'open', ...start }, [start.port]);
}

/** The client's child has exited or been closed: a failure of the relay thread no longer concerns it. */
export function releaseChild(client: RelayClient): void {
  served.delete(client);
}
