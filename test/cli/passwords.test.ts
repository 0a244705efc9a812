import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PasswordResolver } from '../../src/cli/passwords.js';
import type { Io } from '../../src/io.js';
import { MailcertError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();

function fakeIo(env: Record<string, string> = {}, stdin = ''): Io & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    out: () => undefined,
    err: (t) => void errors.push(t),
    env,
    cwd: dir,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    readStdin: () => Promise.resolve(Buffer.from(stdin)),
  };
}
const ask = { purpose: 'keystore james.jks' };

test('each source gives the password', async () => {
  writeFileSync(join(dir, 'pw.txt'), 'from-file\r\nsecond line\n');
  assert.equal(await new PasswordResolver(fakeIo({ P: 'from-env' }), { storepassEnv: 'P' }).get('store', ask), 'from-env');
  assert.equal(await new PasswordResolver(fakeIo(), { storepassFile: 'pw.txt' }).get('store', ask), 'from-file');
  assert.equal(await new PasswordResolver(fakeIo({}, 'piped\n'), { storepassStdin: true }).get('store', ask), 'piped');
  assert.equal(await new PasswordResolver(fakeIo({ MAILCERT_STOREPASS: 'default-env' }), {}).get('store', ask), 'default-env');
});

test('a password on the command line works but warns, without echoing it', async () => {
  const io = fakeIo();
  assert.equal(await new PasswordResolver(io, { storepass: 's3cret!' }).get('store', ask), 's3cret!');
  assert.equal(io.errors.length, 1);
  assert.match(io.errors[0] ?? '', /visible to other users/);
  assert.ok(!(io.errors[0] ?? '').includes('s3cret!'));
});

test('the key password defaults to the store password, and can differ', async () => {
  assert.equal(await new PasswordResolver(fakeIo({ MAILCERT_STOREPASS: 'store' }), {}).key(ask), 'store');
  assert.equal(await new PasswordResolver(fakeIo({ MAILCERT_STOREPASS: 'store', K: 'key' }), { keypassEnv: 'K' }).key(ask), 'key');
});

test('no password and no terminal fails at once with exit 2 and a hint naming the options', async () => {
  await assert.rejects(new PasswordResolver(fakeIo(), {}).get('store', ask), (e: unknown) => {
    assert.ok(e instanceof MailcertError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /no store password given for keystore james\.jks/);
    assert.match(e.hint ?? '', /--storepass-env VAR, --storepass-file FILE or --storepass-stdin, or set MAILCERT_STOREPASS/);
    return true;
  });
});

test('conflicting sources and a missing variable are usage errors', async () => {
  await assert.rejects(new PasswordResolver(fakeIo({ A: 'x' }), { storepass: 'a', storepassEnv: 'A' }).get('store', ask), /one way only/);
  await assert.rejects(new PasswordResolver(fakeIo(), { storepassEnv: 'UNSET_VAR' }).get('store', ask), /UNSET_VAR is not set/);
  assert.throws(() => new PasswordResolver(fakeIo(), { storepassStdin: true, keypassStdin: true }), /only one password can come from standard input/);
});
