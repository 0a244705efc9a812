/**
 * How bin/mailcert.cjs loads the bundle (dist/bundle/*.cjs), with V8's code cache: the first run
 * compiles main.cjs and the command's files as usual and, at exit, keeps what V8 compiled in the
 * user's cache folder; later runs hand it back to V8 and skip most of the parsing and compiling,
 * about 6 ms of every run. Node 22 does the same for every module with module.enableCompileCache;
 * Node 20 has only vm.Script's cachedData, so this is that, for our own files.
 *
 * A bundle file is a CommonJS module (the vendor files), or a pack of mailcert's modules
 * (scripts/build.mjs): one expression, an object that holds for each module it packs (`main.js`,
 * `chunk-X.js`, `command-list.js`) the module's CommonJS wrapper function. The build records which
 * file packs which module (its home); a command's file may carry copies of modules whose home is
 * another file, and a module is taken from the first file loaded that has it. A module runs once,
 * on its first require(), so each has one instance however many others require it and however
 * many files carry it, and V8 compiles it only then.
 *
 * A cache can never change behaviour. V8 rejects data made by another V8 version or with other
 * flags, but it compares only the length of the source; so each cache file starts with the bundle
 * file's content hash, recorded by the build, and the file's size and modification time (a file
 * patched after install). Another version of mailcert, another build or an edited file is
 * compiled afresh, and its cache replaces the old one: one cache file per bundle file and Node
 * version, never more. Cached code runs as the user, so the folder must be the user's own and
 * writable by nobody else, else it is not used. Failing to read or write it only costs the compile.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

export type CacheUse = 'hit' | 'miss' | 'rejected' | 'off';

export interface BundleLoader {
  /**
   * module.exports of a bundle file, or of a module a pack holds (its name beside the files); each
   * is run once and shared.
   */
  require(file: string): unknown;
  /** How each file loaded so far got its code, for tests. */
  readonly uses: ReadonlyMap<string, CacheUse>;
  /**
   * Writes the cache of every file that had none (or a stale one), or whose cache was made by a
   * run that ran fewer modules. Call at exit.
   */
  save(): void;
}

interface LoadedModule {
  exports: unknown;
}

/** The CommonJS wrapper's parameters, in Node's order. */
type ModuleFunction = (exports: unknown, require: (id: string) => unknown, module: LoadedModule, filename: string, dirname: string) => void;

/**
 * A cache file holds the header, V8's data, then the names of the modules the run that made it
 * ran (one a line) and their length as uint32 little-endian. The header: the content hash the
 * build recorded (ASCII, ID_BYTES long), then the bundle file's size and mtimeMs as float64
 * little-endian.
 */
const ID_BYTES = 16;
const HEADER = ID_BYTES + 16;

/** Set by scripts/build.mjs: each bundle file's name and the start of its SHA-256 in hex. */
declare const __MAILCERT_BUNDLE_IDS__: Readonly<Record<string, string>> | undefined;
/** Set by scripts/build.mjs: each packed module's name and the name of the file that holds it. */
declare const __MAILCERT_BUNDLE_PACKS__: Readonly<Record<string, string>> | undefined;

/** What the build recorded of dist/bundle/ (empty outside the bundle). */
export const builtBundle: { readonly ids: Readonly<Record<string, string>>; readonly packs: Readonly<Record<string, string>> } = {
  ids: typeof __MAILCERT_BUNDLE_IDS__ === 'object' ? __MAILCERT_BUNDLE_IDS__ : {},
  packs: typeof __MAILCERT_BUNDLE_PACKS__ === 'object' ? __MAILCERT_BUNDLE_PACKS__ : {},
};

/**
 * The folder for cached code under base, if it can be trusted: the folders below base are created
 * mode 0700 when missing, and each must belong to this user with no one else allowed to write.
 */
export function trustedCacheDir(base: string, ...parts: string[]): string | undefined {
  let dir = base;
  try {
    for (const part of parts) {
      dir = join(dir, part);
      // A stat first: the folders exist on every run but the first.
      let st = statSync(dir, { throwIfNoEntry: false });
      if (st === undefined) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        st = statSync(dir);
      }
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
 * Runs mailcert: loads the main module (main.js, packed in main.cjs) through the cache, runs it and
 * exits. NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch for its compile cache) turns the cache off.
 */
export function launch(mainModule: string): void {
  const env = process.env;
  const home = env.NODE_DISABLE_COMPILE_CACHE ? undefined : cacheHome(env);
  const cacheDir = home === undefined ? undefined : trustedCacheDir(home, 'mailcert', 'compile', `${process.version}-${process.arch}`);
  const loader = bundleLoader(cacheDir, builtBundle.ids, builtBundle.packs);
  process.once('exit', () => loader.save());
  const { main } = loader.require(mainModule) as { main: () => Promise<void> };
  // When main() has settled, mailcert is done: its output went straight to the descriptors
  // (src/cli/stdio.ts) and process.exitCode is set. Exiting then, rather than when Node finds the
  // event loop empty, skips the tasks V8 left for later, such as a young-generation GC the run
  // has made due (about 1 ms; a run of `hash` allocates just past the point where V8 plans one).
  void main().then(() => process.exit());
}

/**
 * A loader for bundle files, caching in cacheDir the files ids knows (file name to content hash,
 * ID_BYTES hex digits); others are always compiled. packs maps a packed module's name to the file
 * beside it that holds it.
 */
export function bundleLoader(
  cacheDir: string | undefined,
  ids: Readonly<Record<string, string>>,
  packs: Readonly<Record<string, string>> = {},
): BundleLoader {
  const modules = new Map<string, LoadedModule>();
  const packFunctions = new Map<string, Readonly<Record<string, ModuleFunction | undefined>>>();
  const uses = new Map<string, CacheUse>();
  const compiled: { file: string; script: Script; cacheFile: string; header: Buffer; use: CacheUse; ran: ReadonlySet<string> }[] = [];
  /** Each module run, and the bundle file whose code ran it (a module carried by two files runs from one). */
  const ranFrom = new Map<string, string>();
  // Only built-in modules are left to Node: the bundle holds all the rest. They come from
  // process.getBuiltinModule, which needs no node:module (loading it costs every run 0.2 ms);
  // anything else, which the bundle should not have, goes through a require() of Node's.
  let nodeRequire: NodeJS.Require | undefined;
  const requireNode = (id: string, file: string): unknown =>
    process.getBuiltinModule(id) ?? (nodeRequire ??= process.getBuiltinModule('node:module').createRequire(file))(id);

  /**
   * Compiles a bundle file through the cache and runs it: a CommonJS file in Node's module
   * wrapper, giving the wrapper function; a pack as it is, giving its module functions.
   */
  const compile = (file: string, commonJs: boolean): unknown => {
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
    const cached = cacheFile === undefined || header === undefined ? undefined : readCache(cacheFile, header);
    // The CommonJS wrapper goes on the first line, so line numbers in stack traces stay right. A
    // pack is compiled as read: no second copy of a large source.
    const wrapped = commonJs ? `(function (exports, require, module, __filename, __dirname) {${code}\n})` : code;
    const script = new Script(wrapped, { filename: file, cachedData: cached?.data });
    const use: CacheUse = cacheFile === undefined ? 'off' : cached === undefined ? 'miss' : script.cachedDataRejected === true ? 'rejected' : 'hit';
    uses.set(file, use);
    if (cacheFile !== undefined && header !== undefined) compiled.push({ file, script, cacheFile, header, use, ran: new Set(use === 'hit' ? cached?.ran : []) });
    return script.runInThisContext();
  };

  /** Runs a module (a file's wrapper, or a pack's function for it, from bundle file `from`) and keeps its exports. */
  const run = (file: string, moduleFunction: ModuleFunction, from: string): unknown => {
    const module: LoadedModule = { exports: {} };
    modules.set(file, module);
    ranFrom.set(file, from);
    const dir = dirname(file);
    // Bundle files and packed modules require each other as ./name.cjs and ./name.js.
    const requireHere = (id: string): unknown =>
      /^\.\/[\w-]+\.c?js$/.test(id) && (id.endsWith('.cjs') || packs[id.slice(2)] !== undefined) ? load(join(dir, id)) : requireNode(id, file);
    moduleFunction.call(module.exports, module.exports, requireHere, module, file, dir);
    return module.exports;
  };

  const load = (file: string): unknown => {
    const known = modules.get(file);
    if (known) return known.exports;
    const name = basename(file);
    const pack = packs[name];
    if (pack === undefined) return run(file, compile(file, true) as ModuleFunction, file);
    // A command's file may carry copies of modules held elsewhere (scripts/build.mjs): a pack
    // already compiled that has the module saves opening its own file.
    for (const [packFile, functions] of packFunctions) {
      const copy = functions[name];
      if (typeof copy === 'function') return run(file, copy, packFile);
    }
    const packFile = join(dirname(file), pack);
    const functions = compile(packFile, false) as Readonly<Record<string, ModuleFunction | undefined>>;
    packFunctions.set(packFile, functions);
    const moduleFunction = functions[name];
    if (typeof moduleFunction !== 'function') throw new Error(`${pack} does not hold ${basename(file)}: rebuild mailcert (scripts/build.mjs)`);
    return run(file, moduleFunction, packFile);
  };

  return {
    require: load,
    uses,
    save() {
      // V8 keeps only what has been compiled, and compiles a function when it first runs: a
      // cache made by `mailcert --version` lacks what `hash` runs in the same files. So a cache
      // records the modules its run ran from that file, and a later run that ran others from it
      // saves it again, with what both compiled; each file is saved again at most once for each
      // module it has not seen. (A module that ran from a copy in another file was not compiled here.)
      for (const { file, script, cacheFile, header, use, ran: before } of compiled.splice(0)) {
        const ran = [...ranFrom].filter(([, from]) => from === file).map(([module]) => basename(module));
        if (use === 'hit' && ran.every((name) => before.has(name))) continue;
        try {
          // Another mailcert may be reading it: write aside, then rename over.
          const temp = `${cacheFile}.${process.pid}.tmp`;
          const names = Buffer.from([...new Set([...before, ...ran])].sort().join('\n'), 'latin1');
          const length = Buffer.alloc(4);
          length.writeUInt32LE(names.length);
          writeFileSync(temp, Buffer.concat([header, script.createCachedData(), names, length]), { mode: 0o600 });
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

/**
 * V8's data from cacheFile, and the names of the modules the run that made it ran, when it was
 * made from this very file (same header), else undefined. The file: header, V8's data, the names
 * (one a line), their length (uint32 little-endian).
 */
function readCache(cacheFile: string, header: Buffer): { data: Buffer; ran: string[] } | undefined {
  let file: Buffer;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  if (file.length <= HEADER + 4 || !file.subarray(0, HEADER).equals(header)) return undefined;
  const namesEnd = file.length - 4;
  const namesStart = namesEnd - file.readUInt32LE(namesEnd);
  if (namesStart <= HEADER) return undefined;
  return { data: file.subarray(HEADER, namesStart), ran: file.subarray(namesStart, namesEnd).toString('latin1').split('\n') };
}
