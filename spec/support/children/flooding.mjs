// A protocol child (docs/protocol.md) that answers the handshake, then floods stdout in the way argv[2] names
// when asked to create an instance (spec/hostile-shapes.spec.ts):
// - `blank`: empty lines, endlessly; `whitespace`: lines of spaces, tabs and carriage returns, endlessly;
// - `spaces-48`: lines of 48 MiB of spaces, endlessly;
// - `line-200`: one line of 200 MiB of `x`; `spaces-200`: one line of 200 MiB of spaces;
// - `objects`: JSON objects of 7 MiB answering no request, endlessly;
// - `brace-line`: one line of `{` and 7 MiB of `x` (below the line cap: the parent reads it whole).
// It never answers the request; each line ends with a newline unless the mode says otherwise.
import { createInterface } from 'node:readline';

const mode = process.argv[2];
const MiB = 1024 * 1024;
setInterval(() => {}, 1000);

/** Writes `chunk` `times` times (Infinity: until killed), waiting for the pipe to drain, then calls `then`. */
function flood(chunk, times, then = () => {}) {
  let left = times;
  const more = () => {
    while (left > 0) {
      left--;
      if (!process.stdout.write(chunk)) return process.stdout.once('drain', more);
    }
    then();
  };
  more();
}

const spaces = ' '.repeat(MiB);
/** A line of `size` spaces as bytes, made once: a write of it then copies nothing (a 48 MiB string is encoded at each write). */
function spaceLine(size) {
  const line = Buffer.alloc(size + 1, ' ');
  line[size] = 10;
  return line;
}
const floods = {
  blank: () => flood('\n'.repeat(64 * 1024), Number.POSITIVE_INFINITY),
  whitespace: () => flood(' \t \r\n'.repeat(16 * 1024), Number.POSITIVE_INFINITY),
  'spaces-48': () => flood(spaceLine(48 * MiB), Number.POSITIVE_INFINITY),
  'line-200': () => flood(`${'x'.repeat(MiB)}`, 200),
  'spaces-200': () => flood(spaces, 200),
  objects: () => flood(`{"id":0,"ok":true,"pad":"${'x'.repeat(7 * MiB)}"}\n`, Number.POSITIVE_INFINITY),
  'brace-line': () => {
    process.stdout.write('{');
    flood('x'.repeat(MiB), 7, () => process.stdout.write('\n'));
  },
};

createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, op } = JSON.parse(line);
  if (op === 'hello')
    return process.stdout.write(
      `${JSON.stringify({ id, ok: true, protocol: 1, name: `flooding (${mode})`, dtype: 'float64', optimizers: ['sgd'] })}\n`,
    );
  if (op === 'create') return floods[mode]();
  if (op === 'shutdown') process.exit(0);
});
