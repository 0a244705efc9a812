/**
 * How bin/mailcert.cjs loads the bundle (dist/bundle/*.cjs), with V8's code cache: the first run
 * compiles main.cjs and the command's file as usual and, at exit, keeps what V8 compiled in the
 * user's cache folder; later runs hand it back to V8 and skip most of the parsing and compiling,
 * about 6 ms of every run. Node 22 does the same for every module with module.enableCompileCache;
 * Node 20 has only vm.Script's cachedData, so this is that, for our own files.
 *
 * A cache can never change behaviour. V8 rejects data made by another V8 version or with other
 * flags, but it compares only the length of the source; so each cache file starts with the bundle
 * file's content hash, recorded by the build (scripts/build.mjs), and the file's size and
 * modification time (a file patched after install). Another version of mailcert, another build or
 * an edited file is compiled afresh, and its cache replaces the old one: one cache file per bundle
 * file and Node version, never more. Cached code runs as the user, so the folder must be the
 * user's own and writable by nobody else, else it is not used. Failing to read or write it only
 * costs the compile.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
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

/**
 * Before V8's data: the content hash the build recorded (ASCII, ID_BYTES long), then the bundle
 * file's size and mtimeMs as float64 little-endian.
 */
const ID_BYTES = 16;
const HEADER = ID_BYTES + 16;

/** Set by scripts/build.mjs: each bundle file's name and the start of its SHA-256 in hex. */
declare const __MAILCERT_BUNDLE_IDS__: Readonly<Record<string, string>> | undefined;

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
  const loader = bundleLoader(cacheDir, typeof __MAILCERT_BUNDLE_IDS__ === 'object' ? __MAILCERT_BUNDLE_IDS__ : {});
  process.once('exit', () => loader.save());
  const { main } = loader.require(mainFile) as { main: () => Promise<void> };
  void main();
}

/**
 * A loader for bundle files, caching in cacheDir the files ids knows (file name to content hash,
 * ID_BYTES hex digits); others are always compiled.
 */
export function bundleLoader(cacheDir: string | undefined, ids: Readonly<Record<string, string>>): BundleLoader {
  const modules = new Map<string, LoadedModule>();
  const uses = new Map<string, CacheUse>();
  const unsaved: { script: Script; cacheFile: string; header: Buffer }[] = [];

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
    const name = basename(file);
    const id = ids[name];
    const cacheFile = cacheDir === undefined || id === undefined || id.length !== ID_BYTES ? undefined : join(cacheDir, `${name}.v8`);
    const header = id === undefined ? undefined : cacheHeader(id, source);
    const cachedData = cacheFile === undefined || header === undefined ? undefined : readCache(cacheFile, header);
    // The CommonJS wrapper, on the first line so line numbers in stack traces stay right.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: file, cachedData });
    const use: CacheUse = cacheFile === undefined ? 'off' : cachedData === undefined ? 'miss' : script.cachedDataRejected === true ? 'rejected' : 'hit';
    uses.set(file, use);
    if (cacheFile !== undefined && header !== undefined && use !== 'hit') unsaved.push({ script, cacheFile, header });

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
      for (const { script, cacheFile, header } of unsaved.splice(0)) {
        try {
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

function cacheHeader(id: string, source: Stats): Buffer {
  const header = Buffer.alloc(HEADER);
  header.write(id, 0, ID_BYTES, 'latin1');
  header.writeDoubleLE(source.size, ID_BYTES);
  header.writeDoubleLE(source.mtimeMs, ID_BYTES + 8);
  return header;
}

/** V8's data from cacheFile when it was made from this very file (same header), else undefined. */
function readCache(cacheFile: string, header: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  if (data.length <= HEADER || !data.subarray(0, HEADER).equals(header)) return undefined;
  return data.subarray(HEADER);
}
