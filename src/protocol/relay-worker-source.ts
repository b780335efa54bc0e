/**
 * The source of the worker thread that owns the child process (run with
 * `new Worker(source, { eval: true })`, so it needs no loader and works from
 * both `src/` under tsx and `dist/`). Why a worker: `Adapter.schedule(config)`
 * returns a synchronous `t => value` function, so the parent must be able to
 * block on an answer; a blocked main thread cannot read a pipe, but it can wait
 * on a SharedArrayBuffer while this thread keeps reading. Every event goes to
 * `workerData.port` and then bumps `workerData.counter` and notifies it, the
 * signal the blocked parent waits on (`receiveMessageOnPort` then drains it).
 *
 * Events: `{ type: 'spawned', pid }`, `{ type: 'lines', lines }` (complete
 * stdout lines, CR LF tolerated), `{ type: 'stderr', text }`,
 * `{ type: 'overflow', bytes }` (an endless line: the child is killed), and
 * `{ type: 'exit', code, signal, error }` once, after the pipes have closed (or
 * 250 ms after the exit if a grandchild holds them open). Commands from the
 * parent: `{ type: 'send', line }`, `{ type: 'end' }` (close stdin) and
 * `{ type: 'kill' }` (SIGKILL). EPIPE on a dead child's stdin is swallowed: the
 * exit event reports what happened.
 */
export const relayWorkerSource = String.raw`'use strict';
(() => {
  const { parentPort, workerData } = require('node:worker_threads');
  const { spawn } = require('node:child_process');
  const { argv, cwd, env, port, counter: counterBuffer, maxLineLength } = workerData;
  const counter = new Int32Array(counterBuffer);
  const emit = (message) => {
    port.postMessage(message);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  let exited = false;
  let exitInfo = { code: null, signal: null, error: null };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    if (pending > 0) emit({ type: 'lines', lines: [decode(pieces)] });
    pieces = [];
    pending = 0;
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
  // The unfinished line is kept as the Buffers it arrived in and decoded once, when
  // its newline arrives: linear time, and memory near the cap (appending each chunk
  // to one string would copy it again per chunk, and decoding early would hold both
  // the bytes and the text). Past maxLineLength bytes the child is killed.
  let pieces = [];
  let pending = 0;
  const decode = (buffers) => {
    const text = (buffers.length === 1 ? buffers[0] : Buffer.concat(buffers)).toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  child.stdout.on('data', (chunk) => {
    if (finished) return;
    let start = 0;
    const lines = [];
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const size = pending + nl - start;
      if (size > maxLineLength) {
        if (lines.length > 0) emit({ type: 'lines', lines });
        return overflow(size);
      }
      pieces.push(chunk.subarray(start, nl));
      lines.push(decode(pieces));
      pieces = [];
      pending = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      pieces.push(start === 0 ? chunk : chunk.subarray(start));
      pending += chunk.length - start;
      if (pending > maxLineLength) {
        if (lines.length > 0) emit({ type: 'lines', lines });
        return overflow(pending);
      }
    }
    if (lines.length > 0) emit({ type: 'lines', lines });
  });
  const overflow = (bytes) => {
    emit({ type: 'overflow', bytes });
    pieces = [];
    pending = 0;
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
  parentPort.on('message', (message) => {
    if (message.type === 'send') {
      if (!child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.write(message.line + '\n');
    } else if (message.type === 'end') {
      if (!child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.end();
    } else if (message.type === 'kill') {
      killGroup();
    }
  });
})();
`;
