// The Dockerfile, read without Docker (the project's machines have no engine): a Node 24 build stage
// that installs production dependencies only, a final stage that runs as a numeric non-root user, and
// — what a build would only show at run time — every module the program loads is in the image: each
// source file the entry point reaches (relative imports, followed) lies in a folder the final stage
// copies, and each package it imports is a production dependency, not a devDependency that
// `npm ci --omit=dev` leaves out. The local stack of `dev` (stack/) is not in it, and the final
// stage's files, laid out as the image holds them, start every product command without it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, REPO } from './support.ts';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped; one array per stage. */
function stages(dockerfile: string): Instruction[][] {
  const logical = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: args!.trim() };
    if (instruction.keyword === 'FROM') result.push([instruction]);
    else result.at(-1)?.push(instruction);
  }
  return result;
}

/** Where the program starts: the Dockerfile's ENTRYPOINT, and the workflow code the worker bundles at start. */
const WORKFLOWS_ENTRY = 'workflows/index.ts';
/** What the image runs (deploy/, docker-compose.yml) and what people run against a live operator; not `dev`. */
const PRODUCT_COMMANDS = ['run', 'watcher', 'worker', 'status', 'redeploy', 'plan'];

interface ModuleGraph {
  files: Set<string>;
  /** package name → first file that imports it */
  packages: Map<string, string>;
  missing: string[];
}

/** Follows relative imports (static, re-exports, dynamic with a literal) from the entry files; `import type` is erased at run time and skipped. */
function moduleGraph(entries: string[]): ModuleGraph {
  const graph: ModuleGraph = { files: new Set(), packages: new Map(), missing: [] };
  const builtins = new Set(builtinModules);
  const queue = entries.map((entry) => resolve(REPO, entry));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.files.has(file)) continue;
    if (!existsSync(file)) {
      graph.missing.push(relative(REPO, file));
      continue;
    }
    graph.files.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const specifiers: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier))
        specifiers.push(node.moduleSpecifier.text);
      else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
        specifiers.push(node.moduleSpecifier.text);
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]))
        specifiers.push(node.arguments[0].text);
      ts.forEachChild(node, visit);
    };
    visit(source);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
      else {
        const parts = specifier.split('/');
        const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
        if (!graph.packages.has(name)) graph.packages.set(name, relative(REPO, file));
      }
    }
  }
  return graph;
}

describe('Dockerfile', () => {
  const all = stages(readRepoFile('Dockerfile'));
  const final = all.at(-1)!;
  const last = (keyword: string): string | undefined => final.filter((i) => i.keyword === keyword).at(-1)?.args;
  const entrypoint = JSON.parse(last('ENTRYPOINT') ?? 'null') as string[] | null;

  it('builds in stages from a Node 24 base', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage[0]!.args).toMatch(/^node:24(\.\d+)*(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?( AS \S+)?$/i);
  });

  it('installs production dependencies only, with the tools the zookeeper addon compiles with, in a build stage', () => {
    const runs = all
      .slice(0, -1)
      .flat()
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(runs).toMatch(/npm ci --omit=dev/);
    for (const tool of ['python3', 'make', 'g\\+\\+']) expect(runs).toMatch(new RegExp(`\\b${tool}`));
    // The package's postinstall runs scripts/rebuild-native.sh: it must be in the build stage before npm ci.
    const copies = all
      .slice(0, -1)
      .flat()
      .filter((i) => i.keyword === 'COPY')
      .map((i) => i.args);
    expect(copies.some((args) => args.includes('scripts/rebuild-native.sh'))).toBe(true);
    expect(final.some((i) => i.keyword === 'RUN' && /apt-get|npm (ci|install)/.test(i.args))).toBe(false);
  });

  it('runs as a numeric non-root user (so Kubernetes can check runAsNonRoot)', () => {
    const user = last('USER');
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
  });

  it('runs `node bin/flink-session-operator.ts` from /app', () => {
    expect(last('WORKDIR')).toBe('/app');
    expect(entrypoint).toEqual(['node', 'bin/flink-session-operator.ts']);
  });

  const copied = final.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).map((i) => i.args.split(/\s+/)[0]!.replace(/\/$/, ''));
  const graph = moduleGraph([entrypoint?.[1] ?? 'bin/flink-session-operator.ts', WORKFLOWS_ENTRY]);

  it("copies every source file the program loads (the entry point's imports, followed, and the workflow code)", () => {
    expect(graph.missing, 'imported files that do not exist').toEqual([]);
    expect(graph.files.size).toBeGreaterThan(20);
    const notCopied = [...graph.files]
      .map((file) => relative(REPO, file))
      .filter((file) => !copied.some((source) => file === source || file.startsWith(`${source}/`)));
    expect(notCopied, 'add their folders to the final stage of the Dockerfile').toEqual([]);
    expect(copied).toContain('package.json');
  });

  it('installs every package the program imports (production dependencies, which `npm ci --omit=dev` keeps)', () => {
    const { dependencies = {} } = JSON.parse(readRepoFile('package.json')) as { dependencies?: Record<string, string> };
    const notInstalled = [...graph.packages].filter(([name]) => !(name in dependencies)).map(([name, by]) => `${name} (imported by ${by})`);
    expect(graph.packages.size).toBeGreaterThan(5);
    expect(notInstalled, 'move them from devDependencies to dependencies: `npm ci --omit=dev` leaves them out of the image').toEqual([]);
  });

  it('.dockerignore keeps local state and tests out and lets every copied folder in', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const pattern of ['.git', 'node_modules', '.stack', '**/*.test.ts']) expect(ignored).toContain(pattern);
    const plainPaths = ignored.filter((pattern) => !/[*?[!]/.test(pattern)).map((pattern) => pattern.replace(/^\/|\/$/g, ''));
    for (const source of copied) {
      const excludedBy = plainPaths.filter((path) => source === path || source.startsWith(`${path}/`));
      expect(excludedBy, `${source} is copied but .dockerignore leaves it out of the build context`).toEqual([]);
      expect(existsSync(join(REPO, source)), source).toBe(true);
    }
  });

  it('leaves out the local stack of `dev` (stack/): nothing the program loads is there', () => {
    expect(copied).not.toContain('stack');
    const inStack = [...graph.files].map((file) => relative(REPO, file)).filter((file) => file.startsWith('stack/'));
    expect(inStack, 'the product imports the local stack').toEqual([]);
  });

  // No Docker engine here: the final stage's COPY sources are laid out in a folder as the image has
  // them (tests left out, as .dockerignore does), with the checkout's node_modules (that every imported
  // package is a production dependency is checked above).
  describe("the final stage's files, without stack/", () => {
    let app: string;
    beforeAll(() => {
      app = mkdtempSync(join(tmpdir(), 'fso-image-'));
      for (const source of copied) cpSync(join(REPO, source), join(app, source), { recursive: true, filter: (path) => !path.endsWith('.test.ts') });
      symlinkSync(join(REPO, 'node_modules'), join(app, 'node_modules'), 'dir');
    });
    afterAll(() => rmSync(app, { recursive: true, force: true }));

    const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8', timeout: 90_000 });
    const program = (args: string[]) => node([entrypoint?.[1] ?? 'bin/flink-session-operator.ts', ...args]);

    it('has no stack/, and --help offers every product command and no `dev`', () => {
      expect(existsSync(join(app, 'stack'))).toBe(false);
      const help = program(['--help']);
      expect(help.status, help.stderr).toBe(0);
      for (const command of PRODUCT_COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      expect(help.stdout).not.toMatch(/^  dev /m);
      const dev = program(['dev']);
      expect(dev.status).toBe(2);
      expect(dev.stderr).toContain("unknown command 'dev'");
    });

    it.each(PRODUCT_COMMANDS)('`%s --help` starts and prints its usage', (command) => {
      const result = program([command, '--help']);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Usage: flink-session-operator ${command} `);
    });

    it('loads every module the commands load when they run (each file the entry point reaches, and the workflow code)', () => {
      // The entry point itself runs the program when imported (and exits): the cases above start it.
      const entry = resolve(REPO, entrypoint?.[1] ?? 'bin/flink-session-operator.ts');
      const files = [...graph.files].filter((file) => file !== entry).map((file) => pathToFileURL(join(app, relative(REPO, file))).href);
      const result = node([
        '--input-type=module',
        '-e',
        `for (const file of ${JSON.stringify(files)}) await import(file); console.log('loaded', ${files.length});`,
      ]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(`loaded ${files.length}`);
    }, 120_000);
  });
});
