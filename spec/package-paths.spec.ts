import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { packed as pack } from './support/packed.js';
import { hangGuard } from './support/slowdown.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm pack` publishes, listed once per file (this run's pack, shared with package-vitest). */
let packed: Set<string>;

beforeAll(async () => {
  packed = (await pack()).files;
}, hangGuard(120_000));

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(`${dir}/${d.name}`) : [`${dir}/${d.name}`],
  );
}

/** The texts a reader of the package sees: README, docs, every message and TSDoc comment under src/, and the examples' sources. */
const texts = (): string[] => [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => /\.(md|json)$/.test(f))
    .map((f) => `docs/${f}`),
  ...walk('src').filter((f) => f.endsWith('.ts')),
  ...walk('examples').filter((f) => /\.(mjs|js|ts|py)$/.test(f)),
];

/** A package-relative path as the texts write them: `docs/...`, `src/...`, `examples/...`, `fixtures/...` (a folder ends in `/`). */
const PACKAGE_PATH = /(?<![\w./@-])((?:docs|src|examples|fixtures)\/[\w./-]*[\w/])/g;

/** Whether `path` is a packed file, or a folder holding one. */
function isPacked(path: string): boolean {
  const clean = path.replace(/\/$/, '');
  return packed.has(clean) || [...packed].some((f) => f.startsWith(`${clean}/`));
}

describe('every file the package names is in the package', () => {
  it('the pack holds the documents everything cites and the sources the source maps point at', () => {
    for (const file of [
      'docs/spec.md',
      'docs/conventions.md',
      'docs/cli.md',
      'docs/protocol.md',
      'docs/report.schema.json',
      'src/adapter/contract.ts',
      'src/conformance/tolerance.ts',
    ]) {
      expect(packed.has(file), file).toBe(true);
    }
  });

  it('every docs/, src/, examples/ and fixtures/ path in README, docs, src and examples exists in `npm pack`', () => {
    const missing: string[] = [];
    let named = 0;
    for (const file of texts()) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const m of text.matchAll(PACKAGE_PATH)) {
        named++;
        if (!isPacked(m[1]!)) missing.push(`${file}: ${m[1]}`);
      }
    }
    // More than a handful, so that a regex that matches nothing cannot pass.
    expect(named).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('relative Markdown links of README and docs resolve to packed files', () => {
    const missing: string[] = [];
    for (const file of texts().filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        const path = posix.normalize(posix.join(posix.dirname(file), target));
        if (!isPacked(path)) missing.push(`${file}: ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no text names the spec documents by a bare file name the package does not have (lecture.md, conventions.md)', () => {
    const bare: string[] = [];
    for (const file of texts()) {
      const text = readFileSync(join(root, file), 'utf8');
      const inDocs = relative('docs', file).startsWith('..') === false;
      for (const m of text.matchAll(/(?<![\w/.-])(lecture|conventions|spec)\.md\b/g)) {
        // Inside docs/, a bare name is a sibling (docs/conventions.md); elsewhere it must be written docs/<name>.
        if (!(inDocs && isPacked(`docs/${m[0]}`))) bare.push(`${file}: ${m[0]}`);
      }
    }
    expect(bare).toEqual([]);
  });
});
