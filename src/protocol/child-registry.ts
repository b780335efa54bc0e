const liveChildren = new Set<number>();
let exitHookInstalled = false;

/**
 * Remembers a running child so that it is killed (SIGKILL) when Node exits, even
 * if the caller never called `close()` or crashed: issue 4 asks that no child
 * process is ever left behind. The hook is installed on first use.
 */
export function trackChild(pid: number): void {
  liveChildren.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const live of liveChildren) killChildGroup(live);
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
