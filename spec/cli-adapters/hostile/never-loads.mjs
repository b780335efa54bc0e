// A module whose top-level await never settles: in-process, Node exited 13 with no message.
// It says so on stderr and, when OPTIMSPEC_LOADING_FILE names a file, there too (a run in-process, whose worker's
// stderr is not the test's to read: spec/cli-robustness.spec.ts).
import { writeFileSync } from 'node:fs';

console.error('never-loads: waiting forever at the top level');
if (process.env.OPTIMSPEC_LOADING_FILE) writeFileSync(process.env.OPTIMSPEC_LOADING_FILE, 'waiting');
await new Promise(() => {});
export default { name: 'never-loads', dtype: 'float64', optimizers: ['sgd'], create() {} };
