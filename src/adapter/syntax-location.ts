import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface EsbuildFailure {
  errors?: { text: string; location?: { file: string; line: number; column: number; lineText: string } | null }[];
}

/**
 * Where a module's syntax error is, as `file:line:column` with the line and a caret:
 * Node's import() reports only "SyntaxError: Unexpected token ')'". The file is parsed
 * again by esbuild (tsx's own parser, installed with it) in the module's own dialect;
 * undefined when that finds nothing or cannot run.
 */
export function syntaxLocation(file: string): string | undefined {
  try {
    const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx'))('esbuild') as {
      transformSync(code: string, options: object): unknown;
    };
    const loader = /\.[cm]?ts$/.test(file) ? 'ts' : 'js';
    esbuild.transformSync(readFileSync(file, 'utf8'), { loader, sourcefile: file, format: 'esm', logLevel: 'silent' });
    return undefined;
  } catch (error) {
    const first = (error as EsbuildFailure).errors?.[0];
    const at = first?.location;
    if (first === undefined || at === undefined || at === null) return undefined;
    return `${at.file}:${at.line}:${at.column + 1}: ${first.text}\n    ${at.lineText}\n    ${' '.repeat(at.column)}^`;
  }
}
