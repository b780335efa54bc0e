/**
 * The source of the worker thread that owns the child processes (run with
 * `new Worker(source, { eval: true })`, so it needs no loader and works from
 * both `src/` under tsx and `dist/`). Why a worker: `Adapter.schedule(config)`
 * returns a synchronous `t => value` function, so the parent must be able to
 * block on an answer; a blocked main thread cannot read a pipe, but it can wait
 * on a SharedArrayBuffer while this thread keeps reading. One such thread serves
 * every child of the parent's thread, each in the closure of its own `open` (a
 * thread per child cost some 80 ms of CPU to start and 60 ms to end, on a busy
 * 2-core machine, more than a short session with the child): the parent posts
 * `{ type: 'open', argv, cwd, env, port, counter, maxLineLength }` to start a
 * child, with a MessagePort of its own. Every event of that child goes to its
 * `port` and then bumps its `counter` and notifies it, the signal the blocked
 * parent waits on (`receiveMessageOnPort` then drains it).
 *
 * Events: `{ type: 'spawned', pid }`, `{ type: 'lines', lines }` (complete
 * stdout lines, CR LF tolerated; blank and whitespace-only lines are left out),
 * `{ type: 'wide', bytes }` (one long line as its UTF-8 bytes, transferred),
 * `{ type: 'junk', head, bytes }` (a long line that cannot be an answer: its start),
 * `{ type: 'stderr', text }`, `{ type: 'overflow', bytes, cap, blank }` (more than
 * the cap without a line, or of blank lines: the child is killed), and
 * `{ type: 'exit', code, signal, error }` once, after the pipes have closed (or
 * 250 ms after the exit if a grandchild holds them open). Commands from the
 * parent, on the child's port: `{ type: 'send', line, answerBytes, ack }` (the cap
 * rises to `answerBytes` for a request whose answer needs it; `ack` as below), `{ type: 'ack',
 * bytes }` (lines and wide lines read: stdout is paused while more than the cap
 * is unread), `{ type: 'end' }` (close stdin) and `{ type: 'kill' }` (SIGKILL);
 * when the parent closes the port, the child's pipes are dropped. EPIPE on a
 * dead child's stdin is swallowed: the exit event reports what happened.
 */
export const relayWorkerSource = String.raw`'use strict';
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
parentPort.on('message', (message) => {
  if (message.type === 'open') open(message);
});
function open({ argv, cwd, env, port, counter: counterBuffer, maxLineLength }) {
  const counter = new Int32Array(counterBuffer);
  // Lines sent and not yet acknowledged by the parent (its ack names their size): past the cap, stdout is paused,
  // so that a child writing faster than the parent reads cannot queue its lines up in memory. The parent acknowledges
  // with its next request, or at once from half the cap: a pause never waits on it, since past the cap more than half
  // of it is still on its way to the parent, whose reading it then acknowledges.
  let unacked = 0;
  let paused = false;
  const emit = (message, transfer) => {
    const size =
      message.type === 'lines'
        ? message.lines.reduce((sum, line) => sum + line.length, 0)
        : message.type === 'wide'
          ? message.bytes.byteLength
          : 0;
    port.postMessage(message, transfer);
    unacked += size;
    if (!paused && unacked > cap && child !== undefined) {
      paused = true;
      child.stdout.pause();
    }
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  // Stdout, line by line, with memory bounded whatever the child writes. Every byte counts against the cap,
  // maxLineLength, raised by a request whose answer needs more (answerBytes): the bytes of a line and of the
  // blank or whitespace-only lines before it (skipped, never kept), so that a flood of those is cut as an endless
  // line is. A line whose first non-whitespace byte is an opening brace may be an answer: it is kept as the
  // Buffers it arrived in and decoded once, when its newline arrives (linear time, memory near the cap), by the
  // parent when it is long (its bytes cross without a copy). Any other line cannot be one: only its first SNIPPET
  // bytes are kept, for the parent's message. After an overflow, stdout is ignored until the child is gone.
  const SNIPPET = 64 * 1024;
  let cap = maxLineLength;
  let counted = 0;
  let kind = 'blank';
  let pieces = [];
  let kept = 0;
  let lineBytes = 0;
  let dropping = false;
  const decode = (buffers) => {
    const text = (buffers.length === 1 ? buffers[0] : Buffer.concat(buffers)).toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  // A finished line: batched with the chunk's others as text, or alone as bytes when it is long.
  const endLine = (lines) => {
    if (kind === 'other' && lineBytes > SNIPPET) {
      if (lines.length > 0) emit({ type: 'lines', lines: lines.splice(0) });
      emit({ type: 'junk', head: decode(pieces), bytes: lineBytes });
    } else if (kept > SNIPPET) {
      if (lines.length > 0) emit({ type: 'lines', lines: lines.splice(0) });
      const bytes = new Uint8Array(kept);
      let at = 0;
      for (const piece of pieces) {
        bytes.set(piece, at);
        at += piece.length;
      }
      pieces = [];
      emit({ type: 'wide', bytes: bytes.buffer }, [bytes.buffer]);
    } else lines.push(decode(pieces));
    pieces = [];
    kept = 0;
    lineBytes = 0;
    counted = 0;
    kind = 'blank';
  };
  let exited = false;
  let exitInfo = { code: null, signal: null, error: null };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    if (kind !== 'blank' && !dropping) {
      const lines = [];
      endLine(lines);
      if (lines.length > 0) emit({ type: 'lines', lines });
    }
    emit({ type: 'exit', code: exitInfo.code, signal: exitInfo.signal, error: exitInfo.error });
  };
  let child;
  try {
    // detached: the child leads a process group of its own, so that the group (grandchildren
    // holding the pipes included) can be killed at once, and a terminal's Ctrl-C reaches
    // only the checker, which ends the child itself.
    child = spawn(argv[0], argv.slice(1), { cwd, env, shell: false, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, detached: process.platform !== 'win32' });
  } catch (error) {
    exitInfo.error = String((error && error.message) || error);
    finish();
    return;
  }
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
    } catch {
      if (!exited) child.kill('SIGKILL');
    }
  };
  child.on('error', (error) => {
    if (child.pid === undefined || exited) {
      exitInfo.error = String((error && error.message) || error);
      exited = true;
      finish();
    }
  });
  if (child.pid !== undefined) emit({ type: 'spawned', pid: child.pid });
  child.stdin.on('error', () => {});
  child.stderr.setEncoding('utf8');
  const isSpace = (b) => b === 32 || b === 9 || b === 13 || b === 10;
  child.stdout.on('data', (chunk) => {
    if (finished || dropping) return;
    const lines = [];
    let i = 0;
    while (i < chunk.length) {
      if (kind === 'blank') {
        let j = i;
        while (j < chunk.length && isSpace(chunk[j])) j++;
        counted += j - i;
        i = j;
        if (counted > cap) {
          if (lines.length > 0) emit({ type: 'lines', lines });
          return overflow(counted, true);
        }
        if (i === chunk.length) break;
        kind = chunk[i] === 123 ? 'object' : 'other';
      }
      const nl = chunk.indexOf(10, i);
      const end = nl < 0 ? chunk.length : nl;
      counted += end - i;
      lineBytes += end - i;
      if (counted > cap) {
        if (lines.length > 0) emit({ type: 'lines', lines });
        return overflow(counted, false);
      }
      const keep = kind === 'object' ? end : Math.min(end, i + Math.max(0, SNIPPET + 1 - kept));
      if (keep > i) {
        pieces.push(i === 0 && keep === chunk.length ? chunk : chunk.subarray(i, keep));
        kept += keep - i;
      }
      if (nl < 0) break;
      endLine(lines);
      i = nl + 1;
    }
    if (lines.length > 0) emit({ type: 'lines', lines });
  });
  const overflow = (bytes, blank) => {
    emit({ type: 'overflow', bytes, cap, blank });
    pieces = [];
    kept = 0;
    dropping = true;
    killGroup();
  };
  child.stderr.on('data', (text) => emit({ type: 'stderr', text }));
  child.on('exit', (code, signal) => {
    exited = true;
    // A grandchild left in the group (one holding the pipes open, say) goes with it.
    killGroup();
    exitInfo.code = code;
    exitInfo.signal = signal;
    setTimeout(finish, 250).unref();
  });
  child.on('close', () => {
    exited = true;
    finish();
  });
  port.on('close', () => {
    // The parent is done with this child (it has exited, or the parent has killed its group): drop its pipes.
    child.stdin.destroy();
    child.stdout.destroy();
    child.stderr.destroy();
  });
  const acknowledged = (bytes) => {
    unacked -= bytes;
    if (paused && unacked <= cap) {
      paused = false;
      child.stdout.resume();
    }
  };
  port.on('message', (message) => {
    if (message.type === 'send') {
      if (message.answerBytes > cap) cap = message.answerBytes;
      acknowledged(message.ack);
      if (!child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.write(message.line + '\n');
    } else if (message.type === 'ack') {
      acknowledged(message.bytes);
    } else if (message.type === 'end') {
      if (!child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.end();
    } else if (message.type === 'kill') {
      killGroup();
    }
  });
}
`;
