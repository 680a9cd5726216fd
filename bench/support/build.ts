import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/** The repository root (bench/support/ → ../..). */
export const REPO_ROOT = join(__dirname, '..', '..');

function sourceFiles(root: string, dir: string): string[] {
  const files: string[] = [];
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return files;
  for (const name of readdirSync(absolute)) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) files.push(...sourceFiles(root, path));
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts'))
      files.push(path);
  }
  return files.sort();
}

export interface ServiceBuild {
  outDir: string;
  mainJs: string;
  /** What was built: "working tree" or the commit. */
  source: string;
}

/**
 * Transpiles the service (`src/`) and the bench helpers (`bench/support/`) into a directory under
 * the system's temp dir keyed by the sources' hash, so the service starts as plain
 * `node <dir>/src/main.js` (~0.7 s instead of ~2 s under ts-node), repeated runs reuse it, and
 * nothing is written to `dist/`. Types are not checked here (that is `npm run typecheck`).
 *
 * `BENCH_SOURCE=<git revision>` takes `src/` from that commit instead of the working tree, to
 * measure committed code while files are being edited (the helpers always come from the tree).
 */
export function buildService(sourceRevision = process.env.BENCH_SOURCE): ServiceBuild {
  let srcRoot = REPO_ROOT;
  let source = 'working tree';
  let extracted: string | undefined;
  if (sourceRevision) {
    const commit = execFileSync('git', ['rev-parse', '--verify', `${sourceRevision}^{commit}`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    source = `commit ${commit.slice(0, 12)}`;
    extracted = mkdtempSync(join(tmpdir(), 'battery-keys-src-'));
    const archive = execFileSync('git', ['archive', '--format=tar', commit, 'src'], {
      cwd: REPO_ROOT,
      maxBuffer: 256 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', extracted], { input: archive });
    srcRoot = extracted;
  }
  try {
    const inputs = [
      ...sourceFiles(srcRoot, 'src').map((path) => ({
        path,
        text: readFileSync(join(srcRoot, path), 'utf8'),
      })),
      ...sourceFiles(REPO_ROOT, join('bench', 'support')).map((path) => ({
        path,
        text: readFileSync(join(REPO_ROOT, path), 'utf8'),
      })),
    ];
    const hash = createHash('sha256');
    for (const { path, text } of inputs) hash.update(path).update('\0').update(text).update('\0');
    const outDir = join(tmpdir(), `battery-keys-build-${hash.digest('hex').slice(0, 16)}`);
    const mainJs = join(outDir, 'src', 'main.js');
    if (existsSync(mainJs)) {
      const now = new Date();
      utimesSync(outDir, now, now);
      return { outDir, mainJs, source };
    }
    pruneOldBuilds();

    const staging = `${outDir}.${process.pid}.${Date.now()}`;
    const compilerOptions: ts.CompilerOptions = {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
      isolatedModules: true,
    };
    for (const { path, text } of inputs) {
      const { outputText } = ts.transpileModule(text, { compilerOptions, fileName: path });
      const target = join(staging, path).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
    try {
      renameSync(staging, outDir);
    } catch {
      // A parallel process (another jest worker) finished the same build first.
      rmSync(staging, { recursive: true, force: true });
    }
    return { outDir, mainJs, source };
  } finally {
    if (extracted) rmSync(extracted, { recursive: true, force: true });
  }
}

/** Builds of other source versions not used for a day are removed (each is a few MB). */
function pruneOldBuilds(): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(tmpdir())) {
    if (!/^battery-keys-build-[0-9a-f]{16}$/.test(name)) continue;
    const path = join(tmpdir(), name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another run
    }
  }
}

/** The children need the repository's node_modules though their code lives under the temp dir. */
export function buildNodePath(): string {
  return join(REPO_ROOT, 'node_modules');
}

/** Path of a bench helper inside the build, e.g. builtScript('bench/support/worker'). */
export function builtScript(build: ServiceBuild, path: string): string {
  return join(build.outDir, `${relative('.', path)}.js`);
}
