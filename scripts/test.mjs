// `npm test`: the typecheck (tsc, strict, src + spec + scripts + examples) alongside
// vitest rather than before it, so the two share the machine's cores (issue 11: 60 s on
// two cores). vitest's output streams as it runs and its closing summary stays the last
// thing printed when everything passes; a type error is printed after it and fails the run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const vitest = new URL('../node_modules/vitest/vitest.mjs', import.meta.url).pathname;
const TS_BUILD_INFO = new URL('../node_modules/.cache/optimspec/tsc.tsbuildinfo', import.meta.url).pathname;

// Incremental: tsc keeps what it checked in node_modules/.cache (a file's diagnostics, keyed by
// its content), so a second run re-checks only what changed: 14 s of CPU cold, 5 s warm.
const types = spawn(
  process.execPath,
  [tsc, '-p', 'tsconfig.json', '--noEmit', '--incremental', '--tsBuildInfoFile', TS_BUILD_INFO],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let typeOutput = '';
types.stdout.on('data', (chunk) => (typeOutput += chunk));
types.stderr.on('data', (chunk) => (typeOutput += chunk));
const typesDone = new Promise((resolve) => types.on('close', resolve));

const tests = spawn(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
const testsDone = new Promise((resolve) => tests.on('close', resolve));

const [typeCode, testCode] = await Promise.all([typesDone, testsDone]);
if (typeCode !== 0)
  process.stdout.write(`\nnpm test: the typecheck (tsc -p tsconfig.json --noEmit) failed:\n${typeOutput}`);
process.exitCode = typeCode === 0 && testCode === 0 ? 0 : 1;
