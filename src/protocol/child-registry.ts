import { existsSync, readFileSync } from 'node:fs';

const liveChildren = new Set<number>();
/** How long the exit hook waits for killed children to die. */
const EXIT_WAIT_MS = 500;

/**
 * True while a process with this pid runs. Signal 0 only checks existence; on Linux a
 * zombie (state Z: dead, waiting to be reaped by its parent, or by an init that may never
 * reap it, as in some containers) is not running. Without /proc, existence is all there is.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return !existsSync('/proc');
  }
}
let exitHookInstalled = false;

/**
 * Remembers a running child so that it is killed (SIGKILL) when Node exits, even
 * if the caller never called `close()` or crashed: no child process is ever left
 * behind. The hook is installed on first use.
 */
export function trackChild(pid: number): void {
  liveChildren.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const live of liveChildren) killChildGroup(live);
    // SIGKILL is delivered asynchronously: wait (briefly, synchronously: this is the exit hook) until each child is dead,
    // so that "the child does not outlive the checker" holds the moment the checker's process is gone.
    const until = Date.now() + EXIT_WAIT_MS;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while ([...liveChildren].some(isRunning) && Date.now() < until) Atomics.wait(pause, 0, 0, 1);
  });
}

/**
 * SIGKILLs a child and its process group (it is started as a group leader, see
 * relay-worker-source.ts), so that no grandchild outlives the run.
 */
export function killChildGroup(pid: number): void {
  for (const target of process.platform === 'win32' ? [pid] : [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Forgets a child that has exited (its pid may be reused by another process). */
export function untrackChild(pid: number): void {
  liveChildren.delete(pid);
}
