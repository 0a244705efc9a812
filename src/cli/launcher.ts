/**
 * How bin/mailcert.cjs loads the bundle (dist/bundle/*.cjs), with V8's code cache: the first run
 * compiles main.cjs and the command's file as usual and, at exit, keeps what V8 compiled in the
 * user's cache folder; later runs hand it back to V8 and skip most of the parsing and compiling,
 * about 6 ms of every run. Node 22 does the same for every module with module.enableCompileCache;
 * Node 20 has only vm.Script's cachedData, so this is that, for our own files.
 *
 * A cache can never change behaviour: V8 rejects data made by another V8 version or with other
 * flags, the folder is named by Node version and architecture, and each file records the size and
 * modification time of the bundle file it was made from (a rebuilt or reinstalled file is compiled
 * afresh). Cached code runs as the user, so the folder must be the user's own and writable by
 * nobody else, else it is not used. Failing to read or write it only costs the compile.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export type CacheUse = 'hit' | 'miss' | 'rejected' | 'off';

export interface BundleLoader {
  /** module.exports of a bundle file; a file loaded once is shared (each vendor file has one copy). */
  require(file: string): unknown;
  /** How each file loaded so far got its code, for tests. */
  readonly uses: ReadonlyMap<string, CacheUse>;
  /** Writes the cache of every file that had none (or a stale one). Call at exit. */
  save(): void;
}

interface LoadedModule {
  exports: unknown;
}

/** 16 bytes before V8's data: the bundle file's size and mtimeMs, as float64 little-endian. */
const HEADER = 16;

/**
 * The folder for cached code under base, if it can be trusted: the folders below base are created
 * mode 0700 when missing, and each must belong to this user with no one else allowed to write.
 */
export function trustedCacheDir(base: string, ...parts: string[]): string | undefined {
  const dir = join(base, ...parts);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (let i = 1; i <= parts.length; i++) {
      const st = statSync(join(base, ...parts.slice(0, i)));
      if (!st.isDirectory()) return undefined;
      if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}

/** Where a user's caches live: $XDG_CACHE_HOME, else %LOCALAPPDATA% on Windows, else ~/.cache. */
function cacheHome(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDG_CACHE_HOME) return env.XDG_CACHE_HOME;
  if (process.platform === 'win32') return env.LOCALAPPDATA;
  return env.HOME ? join(env.HOME, '.cache') : undefined;
}

/**
 * Runs mailcert: loads main.cjs through the cache and starts it. NODE_DISABLE_COMPILE_CACHE=1
 * (Node's own switch for its compile cache) turns the cache off.
 */
export function launch(mainFile: string): void {
  const env = process.env;
  const home = env.NODE_DISABLE_COMPILE_CACHE ? undefined : cacheHome(env);
  const cacheDir = home === undefined ? undefined : trustedCacheDir(home, 'mailcert', 'compile', `${process.version}-${process.arch}`);
  const loader = bundleLoader(cacheDir);
  process.once('exit', () => loader.save());
  const { main } = loader.require(mainFile) as { main: () => Promise<void> };
  void main();
}

export function bundleLoader(cacheDir: string | undefined): BundleLoader {
  const modules = new Map<string, LoadedModule>();
  const uses = new Map<string, CacheUse>();
  const unsaved: { script: Script; cacheFile: string; source: Stats }[] = [];

  const load = (file: string): unknown => {
    const known = modules.get(file);
    if (known) return known.exports;
    const fd = openSync(file, 'r');
    let code: string;
    let source: Stats;
    try {
      source = fstatSync(fd);
      code = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
    const cacheFile = cacheDir === undefined ? undefined : join(cacheDir, `${file.split(/[\\/]/).pop() ?? 'bundle'}-${source.dev}-${source.ino}.v8`);
    const cachedData = cacheFile === undefined ? undefined : readCache(cacheFile, source);
    // The CommonJS wrapper, on the first line so line numbers in stack traces stay right.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: file, cachedData });
    const use: CacheUse = cacheFile === undefined ? 'off' : cachedData === undefined ? 'miss' : script.cachedDataRejected === true ? 'rejected' : 'hit';
    uses.set(file, use);
    if (cacheFile !== undefined && use !== 'hit') unsaved.push({ script, cacheFile, source });

    const module: LoadedModule = { exports: {} };
    modules.set(file, module);
    const dir = dirname(file);
    const nodeRequire = createRequire(file);
    // Bundle files require each other as ./name.cjs; everything else is Node's.
    const requireHere = (id: string): unknown => (/^\.\/[\w-]+\.cjs$/.test(id) ? load(join(dir, id)) : nodeRequire(id));
    const wrapper = script.runInThisContext() as (exports: unknown, require: (id: string) => unknown, module: LoadedModule, filename: string, dirname: string) => void;
    wrapper.call(module.exports, module.exports, requireHere, module, file, dir);
    return module.exports;
  };

  return {
    require: load,
    uses,
    save() {
      for (const { script, cacheFile, source } of unsaved.splice(0)) {
        try {
          const header = Buffer.alloc(HEADER);
          header.writeDoubleLE(source.size, 0);
          header.writeDoubleLE(source.mtimeMs, 8);
          // Another mailcert may be reading it: write aside, then rename over.
          const temp = `${cacheFile}.${process.pid}.tmp`;
          writeFileSync(temp, Buffer.concat([header, script.createCachedData()]), { mode: 0o600 });
          renameSync(temp, cacheFile);
        } catch {
          // A full disk or a read-only home: the next run compiles again, nothing else changes.
        }
      }
    },
  };
}

function readCache(cacheFile: string, source: Stats): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  if (data.length <= HEADER || data.readDoubleLE(0) !== source.size || data.readDoubleLE(8) !== source.mtimeMs) return undefined;
  return data.subarray(HEADER);
}
