import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/** A fresh folder under the system's temporary folder (`<prefix>XXXXXX`), removed with everything in it. */
function fresh(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A scratch folder for a spec file or a describe block (call it while they are collected): removed after them. */
export function scratchFolder(prefix: string): string {
  const { dir, remove } = fresh(prefix);
  afterAll(remove);
  return dir;
}

/** A scratch folder for the test that is running: removed when it finishes, passed or failed. */
export function testScratchFolder(prefix: string): string {
  const { dir, remove } = fresh(prefix);
  onTestFinished(remove);
  return dir;
}
