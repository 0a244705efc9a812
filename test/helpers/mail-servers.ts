/**
 * Real Dovecot and Postfix on 127.0.0.1 for the `verify --connect` tests: configs written from the
 * templates below into a fresh temporary folder, certificates from a test CA made there by openssl,
 * every port chosen free at start. scripts/mail-servers-install.sh installs the packages (run by
 * scripts/test-setup.mjs); a missing server fails the test, never skips it.
 *
 * Facts and gotchas worked around here are from shared/reference/mail-servers.md ("the reference").
 *
 *   const servers = await startMailServers();
 *   after(() => servers.stop());
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeTestCa } from './ca.js';
import { runOk } from './tools.js';

/** The name every good certificate is made for (SANs: this, localhost, 127.0.0.1). */
export const SERVER_NAME = 'mail.test.example';
/** The host name in the wrong-host certificate. */
export const WRONG_HOST = 'wrong.test.example';
const HOST = '127.0.0.1';
/**
 * Where the Dovecot instances of the authentication tests listen. Dovecot treats a connection whose
 * client and server addresses are the same as "secured" (login-common client_is_secured: a local
 * connection), and then offers plaintext authentication whatever disable_plaintext_auth says
 * (reference: Dovecot gotchas); from 127.0.0.1 to 127.0.0.2 (both loopback on Linux) it is an
 * ordinary client, as a remote one would be.
 */
export const AUTH_HOST = '127.0.0.2';

export type CertVariant = 'expired' | 'wrongHost' | 'selfSigned' | 'missingIntermediate';
export const CERT_VARIANTS: readonly CertVariant[] = ['expired', 'wrongHost', 'selfSigned', 'missingIntermediate'];

const MAIN_PORTS = [
  // Postfix
  'smtp', // STARTTLS offered
  'submission', // STARTTLS required (smtpd_tls_security_level=encrypt)
  'smtps', // implicit TLS (smtpd_tls_wrappermode)
  'smtpNoTls', // no STARTTLS in the EHLO reply
  'smtpTls12', // STARTTLS, TLS 1.2 only (smtpd_tls_protocols)
  'smtpAuthPlain', // SASL via Dovecot, AUTH offered before STARTTLS too (smtpd_tls_auth_only = no)
  'smtpAuthTlsOnly', // SASL via Dovecot, AUTH only after STARTTLS (smtpd_tls_auth_only = yes)
  // Dovecot, main instance
  'imap', // STARTTLS
  'imaps', // implicit TLS
  'pop3', // STLS
  'pop3s', // implicit TLS
  'sieve', // ManageSieve STARTTLS
  'lmtp', // LMTP STARTTLS
  // Dovecot with ssl = no: no STARTTLS / STLS offered
  'imapNoTls',
  'pop3NoTls',
  'sieveNoTls',
  // Dovecot on AUTH_HOST, its default disable_plaintext_auth = yes: no authentication before TLS
  'imapAuthDefault',
  'pop3AuthDefault',
  'sieveAuthDefault',
  // Dovecot on AUTH_HOST with disable_plaintext_auth = no: authentication offered in plaintext
  'imapAuthPlain',
  'pop3AuthPlain',
  'sieveAuthPlain',
] as const;
type MainPort = (typeof MAIN_PORTS)[number];
/** Per certificate variant: Postfix STARTTLS (smtpExpired ...), Dovecot IMAP STARTTLS and implicit TLS. */
type VariantPort = `${'smtp' | 'imap' | 'imaps'}${Capitalize<CertVariant>}`;
export type PortName = MainPort | VariantPort;
export type MailServerPorts = Record<PortName, number>;

const capitalize = <S extends string>(s: S): Capitalize<S> => (s.charAt(0).toUpperCase() + s.slice(1)) as Capitalize<S>;
/** The port name of a certificate variant: variantPort('imaps', 'expired') is 'imapsExpired'. */
export const variantPort = (proto: 'smtp' | 'imap' | 'imaps', v: CertVariant): VariantPort => `${proto}${capitalize(v)}`;
const PORT_NAMES: readonly PortName[] = [
  ...MAIN_PORTS,
  ...CERT_VARIANTS.flatMap((v) => [variantPort('smtp', v), variantPort('imap', v), variantPort('imaps', v)]),
];

/** Paths of the PEM files the servers present (all leaves share `key`). */
export interface MailServerCerts {
  key: string;
  /** The good leaf alone. */
  leaf: string;
  /** The good leaf + intermediate: what the main servers present. */
  chain: string;
  /** Leaf (expired in 2020) + intermediate. */
  expired: string;
  /** Leaf for WRONG_HOST + intermediate. */
  wrongHost: string;
  /** Self-signed certificate for SERVER_NAME. */
  selfSigned: string;
  /** The good leaf without its intermediate. */
  missingIntermediate: string;
}

export interface MailServers {
  /** The instance folder; its basename tags every process of this instance. */
  dir: string;
  /** Path of the root CA certificate (the trust anchor for every good chain). */
  caPem: string;
  /** Path of the intermediate CA certificate. */
  interPem: string;
  ports: MailServerPorts;
  certs: MailServerCerts;
  /** The address each port listens on: AUTH_HOST for the authentication instances, 127.0.0.1 for the rest. */
  host(port: PortName): string;
  /** Log files, for a test's failure message. */
  logs: { dovecot: string[]; postfix: string };
  /** Pids of the running masters (one per Dovecot instance, one Postfix), from their pid files. */
  masterPids(): number[];
  /** SIGTERMs the masters, waits until every process of this instance is gone, removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Key type of the CA and server keys; default 'ec' (P-256: key generation is instant). */
  keyType?: 'ec' | 'rsa';
  /** How long to wait for every port to accept connections; default 15 s. */
  timeoutMs?: number;
  /**
   * Dovecot's login processes: 'per-connection' (its default "high-security mode": a new
   * imap-login or pop3-login process for every connection, about 7 ms of CPU each here) or
   * 'shared' (its "high-performance mode", what busy servers run: service_count = 0 and a few
   * processes kept ready, each serving many connections).
   */
  loginProcesses?: 'per-connection' | 'shared';
}

/** Starts Dovecot (main, no-TLS and one small instance per certificate variant) and Postfix. */
export async function startMailServers(opts: StartOptions = {}): Promise<MailServers> {
  // Ports are found free by binding port 0 and released just before the servers bind them, so a
  // parallel test file can take one in between: retry with fresh ports when that happens.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (!(err instanceof StartError && err.addressInUse && attempt < 3)) throw err;
    }
  }
}

class StartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// One attempt

interface Instance {
  /** 'postfix' or 'dovecot <id>', for messages. */
  label: string;
  /** The address its listeners bind. */
  host: string;
  log: string;
  pidFile: string;
  ports: PortName[];
}

async function startOnce(opts: StartOptions): Promise<MailServers> {
  const dir = mkdtempSync(join(tmpdir(), 'mailcert-mail-'));
  // DIR must be 0755: mkdtemp gives 0700, and Dovecot's login processes (dovenull) and Postfix's
  // queue owner (postfix) could not get in (reference: Dovecot gotchas).
  chmodSync(dir, 0o755);
  const tag = basename(dir);
  const instances: Instance[] = [];
  const stopper = new Stopper(dir, tag, instances);
  try {
    const tls = join(dir, 'tls');
    mkdirSync(tls, { mode: 0o755 });
    const certs = makeCertificates(tls, opts.keyType ?? 'ec');
    const ports = await freePorts(PORT_NAMES);

    const dovecots = dovecotInstances(certs).map((d) => writeDovecot(dir, tag, d, ports, opts.loginProcesses ?? 'per-connection'));
    const postfix = writePostfix(dir, certs, ports, join(dir, 'dovecot', 'main', 'run', 'auth-postfix'));
    instances.push(...dovecots, postfix);

    await Promise.all([...dovecots.map(startDovecot), startPostfix(dir, postfix)]);
    await waitForPorts(instances, ports, opts.timeoutMs ?? 15_000);
    return {
      dir,
      caPem: join(tls, 'root.pem'),
      interPem: join(tls, 'inter.pem'),
      ports,
      certs,
      host: (port) => instances.find((i) => i.ports.includes(port))?.host ?? HOST,
      logs: { dovecot: dovecots.map((d) => d.log), postfix: postfix.log },
      masterPids: () => stopper.masterPids(),
      stop: () => stopper.stop(),
    };
  } catch (err) {
    await stopper.stop();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates

function makeCertificates(dir: string, keyType: 'ec' | 'rsa'): MailServerCerts {
  const p = (n: string): string => join(dir, n);
  const ca = makeTestCa(dir, keyType);
  const newkey = keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const san = `DNS:${SERVER_NAME},DNS:localhost,IP:${HOST}`;
  const inter = readFileSync(ca.interPem, 'utf8');
  const withInter = (leaf: string, out: string): string => {
    writeFileSync(p(out), readFileSync(leaf, 'utf8') + inter);
    return p(out);
  };

  // One key for every leaf: each variant differs only in its certificate.
  runOk('openssl', ['req', '-new', ...newkey, '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', `/CN=${SERVER_NAME}`]);
  const leaf = ca.sign(p('server.csr'), 'server.pem', san);

  runOk('openssl', ['req', '-new', '-key', p('server.key'), '-out', p('wronghost.csr'), '-subj', `/CN=${WRONG_HOST}`]);
  const wrongHostLeaf = ca.sign(p('wronghost.csr'), 'wronghost.pem', `DNS:${WRONG_HOST}`);

  runOk('openssl', ['req', '-x509', '-key', p('server.key'), '-out', p('selfsigned.pem'), '-days', '365', '-subj', `/CN=${SERVER_NAME}`, '-addext', `subjectAltName=${san}`]);

  return {
    key: p('server.key'),
    leaf,
    chain: withInter(leaf, 'server-chain.pem'),
    expired: withInter(signExpired(dir, ca.interPem, san), 'expired-chain.pem'),
    wrongHost: withInter(wrongHostLeaf, 'wronghost-chain.pem'),
    selfSigned: p('selfsigned.pem'),
    missingIntermediate: leaf,
  };
}

/** A leaf valid only in January 2020: openssl 3.0 `x509 -days` refuses negative days, `ca` takes dates. */
function signExpired(dir: string, interPem: string, san: string): string {
  const db = join(dir, 'ca-db');
  mkdirSync(db);
  writeFileSync(join(db, 'index.txt'), '');
  writeFileSync(join(db, 'serial'), '1000\n');
  writeFileSync(
    join(db, 'ca.cnf'),
    `[ca]\ndefault_ca = test\n[test]\ndatabase = ${db}/index.txt\nnew_certs_dir = ${db}\nserial = ${db}/serial\n` +
      'default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n',
  );
  writeFileSync(join(db, 'leaf.ext'), `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=${san}\n`);
  const out = join(dir, 'expired.pem');
  runOk('openssl', [
    // inter.key: where makeTestCa (./ca.ts) keeps the intermediate's key.
    'ca', '-batch', '-notext', '-config', join(db, 'ca.cnf'), '-cert', interPem, '-keyfile', join(dir, 'inter.key'),
    '-in', join(dir, 'server.csr'), '-out', out, '-startdate', '20200101000000Z', '-enddate', '20200201000000Z',
    '-extfile', join(db, 'leaf.ext'),
  ]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ports

/** Distinct free ports: all bound to port 0 at once (so the kernel gives distinct ones), then released. */
async function freePorts(names: readonly PortName[]): Promise<MailServerPorts> {
  const servers = await Promise.all(names.map(() => listenOnAnyPort()));
  const ports: Partial<MailServerPorts> = {};
  names.forEach((name, i) => {
    const address = servers[i]?.address();
    if (address === null || address === undefined || typeof address === 'string') throw new Error('no port from listen(0)');
    ports[name] = address.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports as MailServerPorts;
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(server));
  });
}

async function waitForPorts(instances: readonly Instance[], ports: MailServerPorts, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const abort = { failed: false }; // the first failure ends every other wait, not only this one
  const waits = instances.flatMap((inst) =>
    inst.ports.map(async (name) => {
      if (await waitForPort(inst.host, ports[name], deadline, abort)) return;
      if (abort.failed) return;
      abort.failed = true;
      throw new StartError(
        `${inst.label} did not accept connections on ${inst.host}:${ports[name]} (${name}) within ${timeoutMs} ms; ` +
          `last lines of ${inst.log}:\n${tail(inst.log)}`,
        /Address already in use/.test(tail(inst.log)),
      );
    }),
  );
  await Promise.all(waits);
}

async function waitForPort(host: string, port: number, deadline: number, abort: { failed: boolean }): Promise<boolean> {
  while (Date.now() < deadline && !abort.failed) {
    if (await canConnect(host, port)) return true;
    await sleep(50);
  }
  return !abort.failed && canConnect(host, port);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Dovecot: one `dovecot -c` instance per config, nothing included from /etc/dovecot

interface Listener {
  service: 'imap-login' | 'pop3-login' | 'managesieve-login' | 'lmtp';
  name: string;
  /** 0 disables a built-in listener (Dovecot's defaults would bind 993/995). */
  port: PortName | 0;
  ssl: boolean;
}

interface DovecotSpec {
  id: string;
  /** Default HOST. */
  host?: string;
  protocols: string;
  /** Extra settings, one per line. */
  settings?: string;
  /** [key, chain] or null for `ssl = no`. */
  tls: [string, string] | null;
  listeners: Listener[];
}

function dovecotInstances(certs: MailServerCerts): DovecotSpec[] {
  const imapPair = (plain: PortName | 0, implicit: PortName | 0): Listener[] => [
    { service: 'imap-login', name: 'imap', port: plain, ssl: false },
    { service: 'imap-login', name: 'imaps', port: implicit, ssl: true },
  ];
  const main: DovecotSpec = {
    id: 'main',
    protocols: 'imap pop3 sieve lmtp',
    tls: [certs.key, certs.chain],
    listeners: [
      ...imapPair('imap', 'imaps'),
      { service: 'pop3-login', name: 'pop3', port: 'pop3', ssl: false },
      { service: 'pop3-login', name: 'pop3s', port: 'pop3s', ssl: true },
      { service: 'managesieve-login', name: 'sieve', port: 'sieve', ssl: false },
      { service: 'lmtp', name: 'lmtp', port: 'lmtp', ssl: false },
    ],
  };
  const noTls: DovecotSpec = {
    id: 'notls',
    protocols: 'imap pop3 sieve',
    tls: null,
    listeners: [
      ...imapPair('imapNoTls', 0),
      { service: 'pop3-login', name: 'pop3', port: 'pop3NoTls', ssl: false },
      { service: 'pop3-login', name: 'pop3s', port: 0, ssl: true },
      { service: 'managesieve-login', name: 'sieve', port: 'sieveNoTls', ssl: false },
    ],
  };
  // Certificates can't be set per port, so each variant is its own small instance (reference).
  const variants = CERT_VARIANTS.map((v): DovecotSpec => ({
    id: v,
    protocols: 'imap',
    tls: [certs.key, certs[v]],
    listeners: imapPair(variantPort('imap', v), variantPort('imaps', v)),
  }));
  // The authentication tests: the default (disable_plaintext_auth = yes) and plaintext allowed.
  const auth = (id: string, suffix: 'Default' | 'Plain', settings: string): DovecotSpec => ({
    id,
    host: AUTH_HOST,
    protocols: 'imap pop3 sieve',
    tls: [certs.key, certs.chain],
    settings,
    listeners: [
      ...imapPair(`imapAuth${suffix}`, 0),
      { service: 'pop3-login', name: 'pop3', port: `pop3Auth${suffix}`, ssl: false },
      { service: 'pop3-login', name: 'pop3s', port: 0, ssl: true },
      { service: 'managesieve-login', name: 'sieve', port: `sieveAuth${suffix}`, ssl: false },
    ],
  });
  return [main, noTls, ...variants, auth('auth-default', 'Default', ''), auth('auth-plain', 'Plain', 'disable_plaintext_auth = no\n')];
}

function writeDovecot(dir: string, tag: string, spec: DovecotSpec, ports: MailServerPorts, loginProcesses: 'per-connection' | 'shared'): Instance {
  const root = join(dir, 'dovecot', spec.id);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const conf = join(root, 'dovecot.conf');
  const log = join(root, 'dovecot.log');
  const portOf = (p: PortName | 0): number => (p === 0 ? 0 : ports[p]);
  const services = [...new Set(spec.listeners.map((l) => l.service))].map((service) => {
    const listeners = spec.listeners
      .filter((l) => l.service === service)
      .map((l) => `  inet_listener ${l.name} {\n    address = ${spec.host ?? HOST}\n    port = ${portOf(l.port)}\n    ssl = ${l.ssl ? 'yes' : 'no'}\n  }\n`);
    const shared = loginProcesses === 'shared' && service.endsWith('-login') ? '  service_count = 0\n  process_min_avail = 2\n' : '';
    return `service ${service} {\n${shared}${listeners.join('')}}\n`;
  });
  // Postfix's SASL (smtpd_sasl_type = dovecot) talks to the main instance's auth service.
  if (spec.id === 'main') services.push(`service auth {\n  unix_listener auth-postfix {\n    mode = 0666\n  }\n}\n`);
  const host = spec.host ?? HOST;
  const tls = spec.tls === null ? 'ssl = no\n' : `ssl = yes\nssl_cert = <${spec.tls[1]}\nssl_key = <${spec.tls[0]}\nssl_min_protocol = TLSv1.2\n`;
  writeFileSync(
    conf,
    `# Written by test/helpers/mail-servers.ts for one test run.\n` +
      // The instance name shows in every process title (dovecot-NAME/imap-login), so the tag finds them all.
      `instance_name = ${tag}-${spec.id}\n` +
      // base_dir holds master.pid; one per instance lets several run side by side.
      `base_dir = ${root}/run\nstate_dir = ${root}/state\nlog_path = ${log}\n` +
      `listen = ${host}\n` +
      // Otherwise the LMTP greeting uses the machine's host name.
      `hostname = ${SERVER_NAME}\n` +
      `protocols = ${spec.protocols}\n` +
      tls +
      'auth_mechanisms = plain login\n' +
      (spec.settings ?? '') +
      'passdb {\n  driver = static\n  args = password=test\n}\n' +
      `userdb {\n  driver = static\n  args = uid=nobody gid=nogroup home=${root}/home/%u\n}\n` +
      services.join(''),
  );
  return {
    label: `dovecot ${spec.id}`,
    host,
    log,
    pidFile: join(root, 'run', 'master.pid'),
    ports: spec.listeners.flatMap((l) => (l.port === 0 ? [] : [l.port])),
  };
}

async function startDovecot(inst: Instance): Promise<void> {
  const conf = join(inst.log, '..', 'dovecot.conf');
  // `dovecot -c` returns at once; config errors go to its stderr ("Invalid port number 99999").
  const r = await exec('dovecot', ['-c', conf], join(inst.log, '..', 'start.out'));
  if (r.status !== 0) {
    const out = `${r.output}${tail(inst.log)}`;
    throw new StartError(`${inst.label}: dovecot -c ${conf} exited ${String(r.status)}:\n${out}`, /Address already in use/.test(out));
  }
}

// ---------------------------------------------------------------------------------------------
// Postfix: custom main.cf + master.cf in DIR/postfix/conf, `postfix -c` as root

function writePostfix(dir: string, certs: MailServerCerts, ports: MailServerPorts, saslPath: string): Instance {
  const root = join(dir, 'postfix');
  const conf = join(root, 'conf');
  mkdirSync(conf, { recursive: true, mode: 0o755 });
  // postfix(1) chdirs into the queue before `post-install create-missing` fills it.
  mkdirSync(join(root, 'queue'), { mode: 0o755 });
  const log = join(root, 'maillog');
  writeFileSync(
    join(conf, 'main.cf'),
    `# Written by test/helpers/mail-servers.ts for one test run; nothing is read from /etc/postfix/main.cf.
compatibility_level = 3.6
queue_directory = ${root}/queue
data_directory = ${root}/data
# postfix-files and the post-install scripts come from the package.
meta_directory = /etc/postfix
myhostname = ${SERVER_NAME}
mydomain = test.example
mydestination =
inet_interfaces = ${HOST}
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = $myhostname ESMTP mailcert test server
# The default prefixes allow only /var and /dev/stdout; with another maillog_file postfix exits 1
# and says nothing when stderr is not a TTY (reference: Postfix gotchas).
maillog_file = ${log}
maillog_file_prefixes = ${root}
# It never delivers anything.
default_transport = error:5.7.1 mailcert test server delivers nothing
local_transport = $default_transport
relay_transport = $default_transport
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_tls_chain_files = ${certs.key}, ${certs.chain}
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
`,
  );
  const sasl = ['smtpd_sasl_auth_enable=yes', 'smtpd_sasl_type=dovecot', `smtpd_sasl_path=${saslPath}`];
  const smtpd = (port: PortName, ...overrides: string[]): string =>
    `${HOST}:${ports[port]} inet n - n - - smtpd${overrides.map((o) => ` -o ${o}`).join('')}\n`;
  writeFileSync(
    join(conf, 'master.cf'),
    '# Written by test/helpers/mail-servers.ts; chroot "n" everywhere: the queue is in a temporary folder.\n' +
      smtpd('smtp') +
      smtpd('submission', 'smtpd_tls_security_level=encrypt') +
      smtpd('smtps', 'smtpd_tls_wrappermode=yes', 'smtpd_tls_security_level=encrypt') +
      smtpd('smtpNoTls', 'smtpd_tls_security_level=none') +
      // Postfix 3.6+ syntax for a range of versions; the mandatory one applies at level encrypt.
      smtpd('smtpTls12', 'smtpd_tls_protocols=>=TLSv1.2,<=TLSv1.2', 'smtpd_tls_mandatory_protocols=>=TLSv1.2,<=TLSv1.2') +
      smtpd('smtpAuthPlain', ...sasl, 'smtpd_tls_auth_only=no') +
      smtpd('smtpAuthTlsOnly', ...sasl, 'smtpd_tls_auth_only=yes') +
      CERT_VARIANTS.map((v) => smtpd(variantPort('smtp', v), `smtpd_tls_chain_files=${certs.key},${certs[v]}`)).join('') +
      POSTFIX_SERVICES,
  );
  // Postfix (dict_load_file_xt) re-reads a config file younger than about 2 s every 300 ms until it
  // is that old, so it never reads a half-written one: strace showed this, not `post-install`, is the
  // reference's "first start ~2 s". Backdated, postfix start takes ~0.3 s.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['main.cf', 'master.cf']) utimesSync(join(conf, f), past, past);
  return { label: 'postfix', host: HOST, log, pidFile: join(root, 'queue', 'pid', 'master.pid'), ports: [...SMTP_PORTS] };
}

const SMTP_PORTS: readonly PortName[] = ['smtp', 'submission', 'smtps', 'smtpNoTls', 'smtpTls12', 'smtpAuthPlain', 'smtpAuthTlsOnly', ...CERT_VARIANTS.map((v) => variantPort('smtp', v))];

// Debian's master.cf services, unchrooted; postlog is required once maillog_file is set.
const POSTFIX_SERVICES = `pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`;

async function startPostfix(dir: string, inst: Instance): Promise<void> {
  const conf = join(dir, 'postfix', 'conf');
  const r = await exec('postfix', ['-c', conf, 'start'], join(dir, 'postfix', 'start.out'));
  if (r.status === 0) return;
  // postfix(1) prints fatal errors only to a TTY or the log: ask again under script(1) for the reason.
  const why = await exec('script', ['-qc', `postfix -c ${conf} check`, '/dev/null'], join(dir, 'postfix', 'check.out'));
  const out = `${r.output}${why.output}${tail(inst.log)}`;
  throw new StartError(`postfix -c ${conf} start exited ${String(r.status)}:\n${out}`, /Address already in use/.test(out));
}

// ---------------------------------------------------------------------------------------------
// Stopping

class Stopper {
  private stopping: Promise<void> | undefined;
  private readonly onExit = (): void => this.killNow();
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    this.killNow();
    // Our listener replaced the default action: re-raise once no other listener is left to act.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };

  constructor(
    private readonly dir: string,
    private readonly tag: string,
    private readonly instances: readonly Instance[],
  ) {
    // Even if the test process ends without running its `after` hooks (process.exit, a test
    // runner's SIGTERM on timeout, Ctrl-C), no server may outlive it.
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private unhook(): void {
    process.removeListener('exit', this.onExit);
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }

  private async stopAll(): Promise<void> {
    this.unhook();
    this.terminate();
    // Dovecot exits in 2-3 s, Postfix in ~2 s (reference); allow 10 s, then SIGKILL what is left.
    if (!(await this.waitGone(10_000, 'SIGTERM'))) {
      for (const pid of instanceProcesses(this.tag)) signal(pid, 'SIGKILL');
      if (!(await this.waitGone(2_000, 'SIGKILL'))) {
        throw new Error(`mail servers of ${this.dir} still running after SIGKILL: ${instanceProcesses(this.tag).join(' ')}`);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort: the processes exit by themselves within seconds of SIGTERM. */
  private killNow(): void {
    this.unhook();
    this.terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * SIGTERM to each master (what `doveadm stop` and `postfix stop` send), then to their children:
   * a Dovecot master otherwise waits ~5 s for login and stats processes that served a connection.
   */
  private terminate(): void {
    for (const pid of this.masterPids()) signal(pid, 'SIGTERM');
    for (const pid of instanceProcesses(this.tag)) signal(pid, 'SIGTERM');
  }

  masterPids(): number[] {
    return this.instances.flatMap((i) => {
      const pid = readPid(i.pidFile);
      return pid === undefined ? [] : [pid];
    });
  }

  /** Polls every 50 ms; repeats the signal every 250 ms for children a master spawned meanwhile. */
  private async waitGone(ms: number, sig: NodeJS.Signals): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (let round = 1; ; round++) {
      const left = instanceProcesses(this.tag);
      if (left.length === 0) return true;
      if (Date.now() > deadline) return false;
      if (round % 5 === 0) for (const pid of left) signal(pid, sig);
      await sleep(50);
    }
  }
}

/**
 * Pids of every process of the instance tagged `tag` (the basename of MailServers.dir): Dovecot's
 * show it in their titles (instance_name), the Postfix master and its children carry it in
 * MAIL_CONFIG (postfix -c exports it; master(8) passes it on). A zombie's cmdline and environ are
 * empty, so exited daemons that PID 1 has not reaped yet (on these machines it never does) don't count.
 */
export function instanceProcesses(tag: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    if (readProc(pid, 'cmdline').includes(tag) || readProc(pid, 'environ').includes(tag)) pids.push(pid);
  }
  return pids;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return ''; // gone meanwhile
  }
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

interface ExecResult {
  status: number | null;
  /** stdout and stderr together. */
  output: string;
}

/**
 * Runs a command without blocking the event loop (Dovecot and Postfix start side by side). Its
 * output goes to a file, not a pipe: the daemons it forks inherit stdout/stderr and keep them open,
 * so a pipe would never close.
 */
function exec(cmd: string, args: readonly string[], outFile: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const fd = openSync(outFile, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: withSbin(process.env) });
    closeSync(fd);
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, output: readFileSync(outFile, 'utf8') }));
  });
}

/** dovecot and postfix live in /usr/sbin, which a non-login PATH may lack. */
function withSbin(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = env.PATH ?? '/usr/bin:/bin';
  return path.split(':').includes('/usr/sbin') ? env : { ...env, PATH: `${path}:/usr/sbin:/sbin` };
}

function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

