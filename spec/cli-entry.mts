// The CLI's entry for spec/cli.spec.ts: bin/optimspec.js without the build step (run with `node --import tsx`).
import { main, processIo } from '../src/cli/index.js';

process.exitCode = await main(process.argv.slice(2), processIo());
