/**
 * Driving mailcert in a real pseudo-terminal with tmux (send-keys, capture-pane), on a private
 * tmux socket so tests never touch a user's sessions.
 */
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cliPath, run, runOk } from './tools.js';

const socket = `mailcert-test-${process.pid}`;
let sessions = 0;
after(() => run('tmux', ['-L', socket, 'kill-server']));

export interface Terminal {
  send(...keys: string[]): void;
  /** The screen as text; with escapes: true, including colour escape sequences. */
  screen(escapes?: boolean): string;
  /** Waits until the screen matches, or fails after timeoutMs with the screen in the message. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Starts `mailcert ARGS` in a new terminal in `cwd`; the shell prints EXIT=<code> when it ends. */
export function terminal(cwd: string, args: readonly string[], env: Record<string, string> = {}): Terminal {
  const name = `t${sessions++}`;
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v}';`).join(' ');
  runOk('tmux', ['-L', socket, 'new-session', '-d', '-s', name, '-x', '160', '-y', '50', `cd '${cwd}' && unset NO_COLOR; ${exports} '${process.execPath}' '${cliPath}' ${quoted}; echo EXIT=$?; sleep 60`]);
  const t: Terminal = {
    send: (...keys) => void runOk('tmux', ['-L', socket, 'send-keys', '-t', name, ...keys]),
    screen: (escapes = false) => runOk('tmux', ['-L', socket, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name]).stdout,
    async waitFor(pattern, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const s = t.screen();
        if (pattern.test(s)) return s;
        if (Date.now() > end) throw new Error(`timed out waiting for ${String(pattern)}; the screen:\n${s}`);
        await sleep(50);
      }
    },
  };
  return t;
}
