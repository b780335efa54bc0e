import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * optimspec's own version, for the report and `optimspec --version`.
 * Read from package.json, which sits two levels above this file both as
 * `src/conformance/version.ts` and as `dist/conformance/version.js`.
 */
export function optimspecVersion(): string {
  if (cached === undefined) {
    const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    cached = typeof json.version === 'string' ? json.version : 'unknown';
  }
  return cached;
}
