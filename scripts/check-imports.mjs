#!/usr/bin/env node
// Checks the import graph of src/ (or of the folder given): no cycles, and every import points
// down the layers of README "Development": cli -> output -> core -> keystore/net -> crypto -> codec.
// Every import counts, `import type` and `import()` included: a type-only cycle is still two
// files that cannot be read (or moved) one without the other. TypeScript's own parser reads the
// sources, so comments and strings that look like imports are not taken for them.
//
//   node scripts/check-imports.mjs [SRC_DIR]     exit 0: clean; exit 1: each problem on a line
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = resolve(process.argv[2] ?? join(root, 'src'));

/**
 * What each layer may import besides itself. "base" is the files directly in src/ (errors.ts,
 * display.ts, io.ts), which every layer but codec may use and which import nothing of ours.
 */
const MAY_IMPORT = {
  base: [],
  codec: [],
  crypto: ['codec', 'base'],
  keystore: ['crypto', 'codec', 'base'],
  net: ['crypto', 'codec', 'base'],
  core: ['keystore', 'net', 'crypto', 'codec', 'base'],
  output: ['core', 'base'],
  cli: ['output', 'core', 'keystore', 'net', 'crypto', 'codec', 'base'],
};
/** Imports that must be `import type`: output renders core's results and runs none of core. */
const TYPES_ONLY = { output: ['core'] };

function layerOf(file) {
  const parts = relative(srcDir, file).split(sep);
  if (parts.length === 1) return 'base';
  return parts[0] in MAY_IMPORT ? parts[0] : undefined;
}

function sourceFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.d.ts'))
    .map((d) => join(d.parentPath ?? d.path, d.name))
    .sort();
}

/** Each import of a file: the specifier, whether only types come through it, and its line. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const add = (spec, typeOnly, node) => found.push({ spec: spec.text, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes = named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && allNamedTypes)), node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier, node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteralLike(node.arguments[0])) {
      add(node.arguments[0], false, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal, true, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** A relative specifier as the file it names: './x.js' is x.ts (NodeNext resolution). */
function resolveSpec(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const target = resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
  try {
    if (statSync(target).isFile()) return target;
  } catch {
    // reported below
  }
  return null;
}

const files = sourceFiles(srcDir);
const name = (f) => relative(root, f);
const problems = [];
const edges = new Map(files.map((f) => [f, new Set()]));
let imports = 0;
for (const file of files) {
  const from = layerOf(file);
  if (from === undefined) problems.push(`${name(file)}: not in a known layer (${Object.keys(MAY_IMPORT).join(', ')})`);
  for (const imp of importsOf(file)) {
    const target = resolveSpec(file, imp.spec);
    if (target === undefined) continue; // node: built-ins and packages
    imports++;
    if (target === null) {
      problems.push(`${name(file)}:${imp.line}: imports ${imp.spec}, which is not a file of ${name(srcDir)}`);
      continue;
    }
    edges.get(file)?.add(target);
    const to = layerOf(target);
    if (from === undefined || to === undefined || from === to) continue;
    if (!MAY_IMPORT[from].includes(to)) {
      problems.push(`${name(file)}:${imp.line}: imports ${name(target)}: ${from}/ may import ${MAY_IMPORT[from].join(', ') || 'nothing of ours'} (besides itself)`);
    } else if (TYPES_ONLY[from]?.includes(to) && !imp.typeOnly) {
      problems.push(`${name(file)}:${imp.line}: imports ${name(target)} for more than types: ${from}/ may take only types from ${to}/ (import type)`);
    }
  }
}

// Tarjan's strongly connected components: each component of more than one file (or a file that
// imports itself) holds a cycle; one cycle through it is shown.
let index = 0;
const info = new Map();
const stack = [];
const components = [];
function connect(v) {
  info.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v) ?? []) {
    if (!info.has(w)) {
      connect(w);
      info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
    } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
  }
  if (info.get(v).low === info.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v)?.has(v)) components.push(component);
  }
}
for (const f of files) if (!info.has(f)) connect(f);

/** A path from start back to itself inside one component (breadth first: a shortest one). */
function cycleThrough(start, component) {
  const inside = new Set(component);
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of [...(edges.get(v) ?? [])].sort()) {
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (inside.has(w) && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
for (const component of components) {
  const start = [...component].sort()[0];
  problems.push(`cycle: ${cycleThrough(start, component).map(name).join(' -> ')}`);
}

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`check-imports: ${p}\n`);
  process.exit(1);
}
process.stdout.write(`check-imports: ${files.length} files, ${imports} imports of ours: no cycles, every import points down the layers\n`);
