import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

/**
 * The package's API is what README.md, docs/cli.md and docs/protocol.md document,
 * and the types their signatures name: every export of the two entry points, with
 * its kind, is in spec/public-api.txt, a list reviewed with each change. A new
 * export (or one gone) fails here until that list is updated (`npx vitest run
 * spec/public-api.spec.ts -u`) and the change reviewed.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = ['src/index.ts', 'src/vitest.ts'];

const parsed = new Map<string, ts.SourceFile>();
function sourceOf(file: string): ts.SourceFile {
  let source = parsed.get(file);
  if (source === undefined) {
    source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
    parsed.set(file, source);
  }
  return source;
}

/** The file a relative module specifier of `from` names (`./x.js` is `./x.ts`). */
function moduleOf(from: string, specifier: string): string {
  return join(dirname(from), specifier).replace(/\.js$/, '.ts');
}

const exported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/**
 * What `name`, as `file` exports it, is where it is declared (a function, class,
 * const, interface or type), following re-exports and imports: the files are read
 * as syntax, not type-checked, so the test stays quick.
 */
function kindOf(file: string, name: string): string {
  for (const statement of sourceOf(file).statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name) return 'function';
    if (ts.isClassDeclaration(statement) && statement.name?.text === name) return 'class';
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) return 'interface';
    if (ts.isTypeAliasDeclaration(statement) && statement.name.text === name) return 'type';
    if (
      ts.isVariableStatement(statement) &&
      statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)
    )
      return 'const';
    const from = (statement as { moduleSpecifier?: ts.Expression }).moduleSpecifier;
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      const element = statement.exportClause.elements.find((e) => e.name.text === name);
      if (element === undefined) continue;
      const local = (element.propertyName ?? element.name).text;
      return from !== undefined && ts.isStringLiteral(from)
        ? kindOf(moduleOf(file, from.text), local)
        : kindOf(file, local);
    }
    if (ts.isImportDeclaration(statement) && statement.importClause?.namedBindings && ts.isStringLiteral(from!)) {
      const bindings = statement.importClause.namedBindings;
      const element = ts.isNamedImports(bindings) ? bindings.elements.find((e) => e.name.text === name) : undefined;
      if (element !== undefined && from.text.startsWith('.'))
        return kindOf(moduleOf(file, from.text), (element.propertyName ?? element.name).text);
    }
  }
  throw new Error(`${file} declares no ${name}`);
}

/** The names an entry point exports: its `export { ... } from` lists and its own exported declarations. */
function exportsOf(file: string): string[] {
  const names: string[] = [];
  for (const statement of sourceOf(file).statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause))
      names.push(...statement.exportClause.elements.map((e) => e.name.text));
    else if (exported(statement)) {
      const declared = ts.isVariableStatement(statement)
        ? statement.declarationList.declarations.map((d) => (d.name as ts.Identifier).text)
        : [(statement as ts.DeclarationStatement).name!.getText()];
      names.push(...declared);
    }
    if (ts.isExportDeclaration(statement) && statement.exportClause === undefined)
      throw new Error(`${file}: export * hides what it exports`);
  }
  return names;
}

/** The exports of each entry point, one `kind name` per line, sorted by kind then name. */
function exportList(): string {
  return entries
    .map((entry) => {
      const lines = exportsOf(entry)
        .map((name) => `${kindOf(entry, name).padEnd(9)} ${name}`)
        .sort();
      const name = entry === 'src/index.ts' ? 'optimspec' : 'optimspec/vitest';
      return `# ${name} (${entry})\n${lines.join('\n')}\n`;
    })
    .join('\n');
}

describe('the public API', () => {
  test('the exports of optimspec and optimspec/vitest are the reviewed list, spec/public-api.txt', async () => {
    const list = exportList();
    await expect(list).toMatchFileSnapshot('./public-api.txt');
  });
});
