/**
 * The import graph of `src/` follows the architecture: every top-level directory has a layer, and
 * a module imports only from its own directory or from a lower layer, so imports run one way and
 * no directory cycle can form. The transport-free core is the bottom: the batcher, the engines and
 * the model loaders implement its contracts (InferenceEngine, tensors, errors), and the protocol
 * adapters call it. The core imports no npm package, so it stays free of gRPC, HTTP and ONNX
 * Runtime. No file-level import cycle exists anywhere in `src/`.
 *
 * A new top-level directory fails this test until it is given a layer below.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from '../../../src/paths/repo-root';

/** Layer of each directory under src/: a module may import from a strictly lower layer. */
const LAYERS: Readonly<Record<string, number>> = {
  core: 0, logging: 0, data: 0, paths: 0,
  protocol: 1, model: 1, batching: 1, net: 1,
  engine: 2, metrics: 2, health: 2,
  config: 3, paddle: 3, grpc: 3,
  http: 4, kserve: 4, cluster: 4,
  client: 5, ops: 5,
  repository: 6,
  server: 7,
  cli: 8,
  /** Files directly in src/ (index.ts: the package's public API) sit on top. */
  '': 9,
};

const SRC = path.join(REPO_ROOT, 'src');

interface ModuleImports { readonly file: string; readonly relative: string[]; readonly packages: string[] }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Static imports, re-exports and `import()`/`require()` of string literals, type-only ones included. */
function importsOf(file: string): ModuleImports {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return {
    file,
    relative: specifiers.filter((s) => s.startsWith('.')).map((s) => resolveModule(path.dirname(file), s)),
    packages: specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:')),
  };
}

function resolveModule(fromDir: string, specifier: string): string {
  const base = path.resolve(fromDir, specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return base;
}

/** The top-level directory under src/ holding `file`, or '' for a file directly in src/. */
function topDirectory(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length === 1 ? '' : parts[0];
}

const modules = sourceFiles(SRC).map(importsOf);

it('every top-level directory of src/ has a layer', () => {
  const directories = new Set(modules.map((m) => topDirectory(m.file)));
  for (const directory of directories) {
    assert.ok(directory in LAYERS, `src/${directory}/ has no layer in import-layers.test.ts: give it one`);
  }
});

it('modules import only from their own directory or a lower layer', () => {
  const violations: string[] = [];
  for (const m of modules) {
    const from = topDirectory(m.file);
    for (const target of m.relative) {
      const rel = path.relative(SRC, target);
      if (rel.startsWith('..')) {
        violations.push(`${path.relative(REPO_ROOT, m.file)} imports ${path.relative(REPO_ROOT, target)}, outside src/`);
        continue;
      }
      const to = topDirectory(target);
      if (to === from) continue;
      if (!((LAYERS[to] ?? Infinity) < (LAYERS[from] ?? -Infinity))) {
        violations.push(`${path.relative(SRC, m.file)} (${from}, layer ${LAYERS[from]}) imports ${rel} (${to}, layer ${LAYERS[to]})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

it('the core imports no npm package (no gRPC, HTTP library or ONNX Runtime)', () => {
  const violations = modules
    .filter((m) => topDirectory(m.file) === 'core')
    .flatMap((m) => m.packages.map((p) => `${path.relative(SRC, m.file)} imports ${p}`));
  assert.deepEqual(violations, []);
});

it('no file-level import cycle exists in src/', () => {
  const graph = new Map(modules.map((m) => [m.file, m.relative.filter((t) => t.startsWith(SRC))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (file: string): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push(stack.slice(stack.indexOf(file)).concat(file).map((f) => path.relative(SRC, f)).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    stack.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file);
  assert.deepEqual(cycles, []);
});
