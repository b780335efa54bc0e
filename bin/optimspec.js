#!/usr/bin/env node
// The optimspec CLI. dist/ is built by `npm run build` (and by `preprepare` on `npm ci`, `prepack` on `npm pack`).
let cli;
try {
  cli = await import('../dist/cli/index.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(`optimspec: dist/cli/index.js is missing; run 'npm run build' first (${error.message})\n`);
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2), cli.processIo());
