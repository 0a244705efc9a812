// Which bundle file holds which module (scripts/build.mjs). esbuild's code splitting puts every
// source module in exactly one chunk, but it makes a chunk for each set of commands that shares
// code: some forty, many of a few hundred bytes, and each file a run opens costs about as much as
// reading 40 KB more (open, stat, read, its code cache, the compile; see README "Benchmarks"). So
// the chunks are packed into a file per command: main.cjs holds main.js and all it loads, plus
// what every command of `order` loads at once (DER, file reading); each command's file holds what
// that command needs and no command before it in `order` has taken. The commands of the order
// (the ones run in loops) then open main.cjs and one file of their own; later ones also open the
// files of the commands they share code with.

/**
 * chunks: name -> { imports: names loaded with it, dynamic: names it may import() later }.
 * order: command chunk names (`command-hash.js`) to serve first; the other commands follow in
 * name order. Returns chunk name -> file name (`main.cjs`, `command-hash.cjs`).
 */
export function packByCommand(chunks, mainName, order) {
  const closure = (name, seen, stop = new Set()) => {
    if (seen.has(name) || stop.has(name)) return seen;
    seen.add(name);
    for (const i of chunks.get(name)?.imports ?? []) closure(i, seen, stop);
    return seen;
  };
  const main = closure(mainName, new Set());
  /**
   * What a command loads beyond main: its chunks and, later, whatever they may import()
   * (hash --rehash, a PKCS#12 keystore...). A Set visits what is added while it is walked.
   */
  const reach = (command) => {
    const seen = closure(command, new Set(), main);
    for (const n of seen) for (const d of chunks.get(n)?.dynamic ?? []) closure(d, seen, main);
    return seen;
  };
  const fileOf = new Map([...main].map((n) => [n, 'main.cjs']));
  const commands = [...new Set([...main].flatMap((n) => chunks.get(n)?.dynamic ?? []))].filter((n) => !main.has(n));
  // What every command of the order loads at once goes with main: each opens one file fewer.
  const reached = order.filter((c) => commands.includes(c)).map((c) => closure(c, new Set(), main));
  for (const n of reached[0] ?? []) if (reached.every((r) => r.has(n)) && !order.includes(n)) fileOf.set(n, 'main.cjs');
  const rank = (n) => (order.includes(n) ? order.indexOf(n) : order.length);
  commands.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  for (const command of commands) {
    for (const n of reach(command)) if (!fileOf.has(n)) fileOf.set(n, command.replace(/\.js$/, '.cjs'));
  }
  // Anything left (nothing, with today's sources) gets a file of its own rather than being lost.
  for (const n of chunks.keys()) if (!fileOf.has(n)) fileOf.set(n, n.replace(/\.js$/, '.cjs'));
  return fileOf;
}
