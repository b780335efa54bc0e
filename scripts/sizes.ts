/**
 * `npm run sizes`: the size limits of src/. No function (declaration, expression,
 * arrow, method, accessor, constructor; its whole text, nested functions included)
 * is longer than {@link FUNCTION_LIMIT} lines, and no file longer than
 * {@link FILE_LIMIT} lines unless one of its first lines says why it is one unit
 * (`// One unit: <why>`). Prints each offender and exits 1 if there is one;
 * `--all` also prints the longest functions and files that pass.
 * spec/sizes.spec.ts runs the same measure in the test suite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The longest a function in src/ may be, in lines. */
export const FUNCTION_LIMIT = 100;
/** The longest a file in src/ may be, in lines, unless it says why it is one unit. */
export const FILE_LIMIT = 400;
/** The line near a file's top that exempts it from {@link FILE_LIMIT}, and says why. */
export const ONE_UNIT = /^\/\/ One unit: \S/;
/** How many of a file's first lines may hold the {@link ONE_UNIT} line. */
const ONE_UNIT_WITHIN = 3;

/** One function's extent. */
export interface FunctionSize {
  file: string;
  name: string;
  line: number;
  lines: number;
}

/** One file's length, and whether it says why it is one unit. */
export interface FileSize {
  file: string;
  lines: number;
  oneUnit: boolean;
}

/** The .ts files under `dir`, recursively, sorted. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The line count of a text as `wc -l` gives it for a file ending in a newline. */
function lineCount(text: string): number {
  const lines = text.split('\n');
  return text.endsWith('\n') ? lines.length - 1 : lines.length;
}

/** A readable name for a function node: its own, or the variable, property or call it sits in. */
function functionName(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
  return '(anonymous)';
}

/** Every function of one file, with its length in lines. */
export function functionSizes(file: string, text: string, root: string): FunctionSize[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      sizes.push({
        file: relative(root, file),
        name: functionName(node, source),
        line: start + 1,
        lines: end - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sizes;
}

/** The sizes of every function and file under `dir` (`root` makes the paths relative). */
export function measure(dir: string, root: string): { functions: FunctionSize[]; files: FileSize[] } {
  const functions: FunctionSize[] = [];
  const files: FileSize[] = [];
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    functions.push(...functionSizes(file, text, root));
    const head = text.split('\n').slice(0, ONE_UNIT_WITHIN);
    files.push({ file: relative(root, file), lines: lineCount(text), oneUnit: head.some((l) => ONE_UNIT.test(l)) });
  }
  return { functions, files };
}

/** The functions and files over the limits. */
export function offenders(sizes: { functions: FunctionSize[]; files: FileSize[] }): {
  functions: FunctionSize[];
  files: FileSize[];
} {
  return {
    functions: sizes.functions.filter((f) => f.lines > FUNCTION_LIMIT),
    files: sizes.files.filter((f) => f.lines > FILE_LIMIT && !f.oneUnit),
  };
}

function main(): void {
  const root = join(import.meta.dirname, '..');
  const sizes = measure(join(root, 'src'), root);
  const over = offenders(sizes);
  const all = process.argv.includes('--all');
  const functions = all ? [...sizes.functions].sort((a, b) => b.lines - a.lines).slice(0, 20) : over.functions;
  const files = all ? [...sizes.files].sort((a, b) => b.lines - a.lines).slice(0, 20) : over.files;
  for (const f of functions) console.log(`function ${f.lines} lines  ${f.file}:${f.line} ${f.name}`);
  for (const f of files) console.log(`file     ${f.lines} lines  ${f.file}${f.oneUnit ? '  (one unit)' : ''}`);
  const count = over.functions.length + over.files.length;
  console.log(
    count === 0
      ? `sizes: every function <= ${FUNCTION_LIMIT} lines, every file <= ${FILE_LIMIT} lines or one unit`
      : `sizes: ${over.functions.length} function(s) over ${FUNCTION_LIMIT} lines, ${over.files.length} file(s) over ${FILE_LIMIT} lines`,
  );
  if (count > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) main();
