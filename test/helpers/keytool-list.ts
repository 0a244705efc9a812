/** Parses `keytool -list -v` output into the shape of `mailcert list --json`, for comparison. */
export interface KeytoolCert {
  subject: string;
  issuer: string;
  serial: string;
  sha256: string;
}
export interface KeytoolEntry {
  alias: string;
  kind: 'key' | 'trusted' | 'secret';
  chainLength: number;
  chain: KeytoolCert[];
}
export interface KeytoolListing {
  type: string;
  entries: KeytoolEntry[];
}

export function parseKeytoolList(text: string): KeytoolListing {
  const type = /^Keystore type: (\S+)/m.exec(text)?.[1] ?? '';
  const blocks = text.split(/^\*{40,}\s*$/m).filter((b) => /^Alias name: /m.test(b));
  const entries = blocks.map((b): KeytoolEntry => {
    const alias = /^Alias name: (.*)$/m.exec(b)?.[1] ?? '';
    const entryType = /^Entry type: (.*)$/m.exec(b)?.[1] ?? '';
    const kind = entryType === 'PrivateKeyEntry' ? 'key' : entryType === 'trustedCertEntry' ? 'trusted' : 'secret';
    const certs = [...b.matchAll(/^Owner: (.*)\nIssuer: (.*)\nSerial number: (.*)\n[\s\S]*?SHA256: (.*)$/gm)].map((m) => ({
      subject: m[1] ?? '',
      issuer: m[2] ?? '',
      serial: m[3] ?? '',
      sha256: (m[4] ?? '').trim(),
    }));
    const chainLength = Number(/^Certificate chain length: (\d+)/m.exec(b)?.[1] ?? certs.length);
    return { alias, kind, chainLength, chain: certs };
  });
  return { type, entries };
}
