// Which bundle file holds which module (scripts/build.mjs). esbuild's code splitting puts every
// source module in exactly one chunk, but it makes a chunk for each set of commands that shares
// code: some forty, many of a few hundred bytes. A run pays for each file it opens (open, stat,
// read, its code cache, the compile) about what reading 40 KB more costs, and for every byte of
// the files it opens (README "The bundle"). So:
// - main.cjs holds main.js, all it loads, and what every command of `order` loads at once (DER,
//   reading files);
// - each command of `order` (the ones scripts and monitors run in loops) gets a file with all it
//   may load that main.cjs and the commands before it do not hold (list's file also carries copies
//   of what it loads at once from hash's: copiesFor): hash and list open two files;
// - the chunks left are grouped for the other commands: start from a group per chunk and merge,
//   pair by pair, the two groups whose merge saves most (FILE_COST_BYTES for each run that opens
//   both, less the bytes each run that needs only one of them would read for nothing).

/** What opening one more file costs a run, in bytes of source it could have read instead. */
export const FILE_COST_BYTES = 40_000;

/**
 * chunks: name -> { bytes, imports: names loaded with it, dynamic: names it may import() later }.
 * order: command chunk names (`command-hash.js`) served first. Returns chunk name -> file name
 * (`main.cjs`, `command-hash.cjs`, `shared-chunk-X.cjs`). Deterministic: ties go to the first pair
 * in name order.
 */
export function packByCommand(chunks, mainName, order) {
  const closure = (name, seen, stop = new Set()) => {
    if (seen.has(name) || stop.has(name)) return seen;
    seen.add(name);
    for (const i of chunks.get(name)?.imports ?? []) closure(i, seen, stop);
    return seen;
  };
  const main = closure(mainName, new Set());
  const fileOf = new Map([...main].map((n) => [n, 'main.cjs']));
  const commands = [...new Set([...main].flatMap((n) => chunks.get(n)?.dynamic ?? []))].filter((n) => !main.has(n)).sort();
  const served = order.filter((c) => commands.includes(c));

  // What every command of the order loads at once goes with main: each opens one file fewer.
  const loaded = served.map((c) => closure(c, new Set(), main));
  for (const n of loaded[0] ?? []) if (loaded.every((l) => l.has(n)) && !served.includes(n)) fileOf.set(n, 'main.cjs');
  // Then each of them, with what it may import() later (hash --rehash, a PKCS#12 keystore...);
  // a Set visits what is added while it is walked.
  for (const command of served) {
    const reach = closure(command, new Set(), main);
    for (const n of reach) for (const d of chunks.get(n)?.dynamic ?? []) closure(d, reach, main);
    for (const n of reach) if (!fileOf.has(n)) fileOf.set(n, command.replace(/\.js$/, '.cjs'));
  }

  // The other commands' runs: a command's chunks, and the same plus each module it may import().
  const runs = [];
  for (const command of commands.filter((c) => !served.includes(c))) {
    const base = closure(command, new Set(), main);
    runs.push(base);
    for (const n of [...base]) for (const d of chunks.get(n)?.dynamic ?? []) if (!main.has(d)) runs.push(closure(d, new Set(base), main));
  }
  const bytes = (group) => group.reduce((sum, n) => sum + (chunks.get(n)?.bytes ?? 0), 0);
  let groups = [...chunks.keys()].filter((n) => !fileOf.has(n)).sort().map((n) => [n]);
  for (;;) {
    let best;
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        let saving = 0;
        for (const run of runs) {
          const a = groups[i].some((n) => run.has(n));
          const b = groups[j].some((n) => run.has(n));
          if (a && b) saving += FILE_COST_BYTES;
          else if (a) saving -= bytes(groups[j]);
          else if (b) saving -= bytes(groups[i]);
        }
        if (saving > 0 && (best === undefined || saving > best.saving)) best = { i, j, saving };
      }
    }
    if (best === undefined) break;
    const merged = [...groups[best.i], ...groups[best.j]].sort();
    groups = groups.filter((_, k) => k !== best.i && k !== best.j).concat([merged]);
  }
  for (const group of groups) {
    const named = group.filter((n) => n.startsWith('command-'));
    const file = named.length === 1 ? named[0].replace(/\.js$/, '.cjs') : `shared-${group[0].replace(/\.js$/, '')}.cjs`;
    for (const n of group) fileOf.set(n, file);
  }
  return fileOf;
}

/**
 * The modules a command's file also carries, beyond those it holds: all else the command loads at
 * once (its static imports, not what it may import() later) that main.cjs does not hold, nor
 * `open` (the modules of the files a run has always opened before it loads this command: verify's
 * for `verify --connect`). Its run then opens no other file. A copy changes nothing at run time:
 * the loader runs a module once, from the first file loaded that holds it (src/cli/launcher.ts).
 */
export function copiesFor(chunks, fileOf, command, open = new Set()) {
  const file = command.replace(/\.js$/, '.cjs');
  const seen = new Set();
  const walk = (name) => {
    if (fileOf.get(name) === 'main.cjs' || open.has(name) || seen.has(name)) return;
    seen.add(name);
    for (const i of chunks.get(name)?.imports ?? []) walk(i);
  };
  walk(command);
  return [...seen].filter((n) => fileOf.get(n) !== file).sort();
}
