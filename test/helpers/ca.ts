/** A test CA (root + intermediate) made by openssl, and signing of requests with it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './tools.js';

export interface TestCa {
  dir: string;
  rootPem: string;
  interPem: string;
  /** Signs a CSR with the intermediate; returns the certificate path. */
  sign(csrPath: string, outName: string, san?: string): string;
}

export function makeTestCa(dir: string, keyType: 'rsa' | 'ec' = 'rsa'): TestCa {
  const newkey = keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const p = (n: string): string => join(dir, n);
  runOk('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', p('root.key'), '-out', p('root.pem'), '-days', '3650', '-subj', '/C=DE/O=Mailcert Test/CN=Mailcert Test Root CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  runOk('openssl', ['req', ...newkey, '-nodes', '-keyout', p('inter.key'), '-out', p('inter.csr'), '-subj', '/C=DE/O=Mailcert Test/CN=Mailcert Test Intermediate CA']);
  writeFileSync(p('ca.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  runOk('openssl', ['x509', '-req', '-in', p('inter.csr'), '-CA', p('root.pem'), '-CAkey', p('root.key'), '-CAcreateserial', '-out', p('inter.pem'), '-days', '1825', '-extfile', p('ca.ext')]);
  return {
    dir,
    rootPem: p('root.pem'),
    interPem: p('inter.pem'),
    sign(csrPath, outName, san) {
      const ext = p(`${outName}.ext`);
      // copy_extensions would take the SANs from the request; openssl 3.0 x509 -req lacks it, so pass them.
      writeFileSync(ext, `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n${san ? `subjectAltName=${san}\n` : ''}`);
      const out = p(outName);
      runOk('openssl', ['x509', '-req', '-in', csrPath, '-CA', p('inter.pem'), '-CAkey', p('inter.key'), '-CAcreateserial', '-out', out, '-days', '365', '-extfile', ext]);
      return out;
    },
  };
}
