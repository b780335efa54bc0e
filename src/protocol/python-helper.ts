import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the stdlib-only Python helper `optimspec_protocol.py` (and the
 * Python examples) inside the installed package. This file sits two levels below
 * the package root both as `src/protocol/` (tsx, vitest) and as `dist/protocol/`
 * (built), so `../../examples/python` is right in both.
 */
export function pythonHelperFolder(): string {
  return fileURLToPath(new URL('../../examples/python', import.meta.url));
}

/**
 * `env` with the helper's folder appended to `PYTHONPATH`, so that a program
 * started by `--exec` can `from optimspec_protocol import serve` from a user's
 * project without copying the file. Appended, not prepended: the folders the user
 * already put there come first, and a copy next to the program wins anyway
 * (Python puts the script's own folder before `PYTHONPATH`).
 */
export function withPythonHelper(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const folder = pythonHelperFolder();
  const current = env.PYTHONPATH;
  const entries = current === undefined || current === '' ? [] : current.split(delimiter);
  if (entries.includes(folder)) return env;
  return { ...env, PYTHONPATH: [...entries, folder].join(delimiter) };
}
