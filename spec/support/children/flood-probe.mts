// Run by spec/hostile-shapes.spec.ts in a process of its own, so that its peak RSS is this checker's alone: for each
// mode in argv, checks sgd over --exec against spec/support/children/flooding.mjs in that mode; prints per mode the
// growth of the peak RSS over the checker's own, the verdict and the first error's message. Every call may take
// 600 s: only the line cap can end a flood.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkConformance } from '../../../src/conformance/check.js';
import { spawnAdapter } from '../../../src/protocol/spawn-adapter.js';

/** Peak resident set of this process since the last reset, in bytes (Linux: /proc/self/status). */
const peak = (): number => 1024 * Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
const child = fileURLToPath(new URL('./flooding.mjs', import.meta.url));
const probes: Record<string, { growth: number; verdict: string; message: string | undefined }> = {};
// The child runs without the malloc settings given to this process (spec/hostile-shapes.spec.ts): they are for measuring
// the checker, and would make each of the child's large buffers a system call of its own.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MALLOC_')));
for (const mode of process.argv.slice(2)) {
  const adapter = await spawnAdapter([process.execPath, child, mode], { timeoutMs: 600_000, env });
  // The baseline: the checker loaded and warm (a check of a schedule the adapter lacks reads the fixtures), the
  // last mode's garbage collected, then the peak reset to the resident set now (writing 5 to clear_refs does that).
  await checkConformance(adapter, { only: ['schedule:step'] });
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  const baseline = peak();
  const report = await checkConformance(adapter, { only: ['sgd'], stepTimeoutMs: 600_000 });
  const growth = peak() - baseline;
  await adapter.close();
  const sgd = report.results[0]!;
  probes[mode] = { growth, verdict: sgd.verdict, message: sgd.findings.find((f) => f.status === 'error')?.message };
}
process.stdout.write(JSON.stringify(probes));
