/**
 * --cn, --dname and --san of genkey and certreq, read into core's SubjectRequest. Every error
 * names the flag it is about; whether the CN is a host name is core's rule (core/genkey.ts).
 */
import { OID } from '../codec/asn1/oid.js';
import { CodecError } from '../codec/errors.js';
import { readRoot } from '../codec/asn1/tlv.js';
import { readString } from '../codec/asn1/values.js';
import { parseDnString } from '../codec/x509/dn-string.js';
import { parseSanList, type AltNames } from '../codec/x509/build.js';
import { NotAHostName, reworded } from '../core/errors.js';
import type { SubjectRequest } from '../core/genkey.js';
import { usageError } from '../errors.js';

/** --san DNS:name,IP:address,... */
export function sanOption(text: string | undefined, hint?: string): AltNames | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSanList(text);
  } catch (e) {
    if (e instanceof CodecError) throw usageError(`--san: ${e.message.replace(/^subjectAltName: /, '')}`, hint);
    throw e;
  }
}

/** The subject from --cn and/or --dname (keytool syntax); the CN in both must agree. */
export function subjectOptions(cn: string | undefined, dname: string | undefined, san: AltNames | undefined): SubjectRequest {
  if (dname === undefined) {
    if (cn === undefined) throw usageError('give the server name: --cn mail.example.com (or --dname "CN=...")');
    if (cn === '') throw usageError('the subject has no CN', 'add --cn mail.example.com');
    return { cn, san };
  }
  let rdns: ReturnType<typeof parseDnString>;
  let dnCn: string | undefined;
  try {
    rdns = parseDnString(dname);
    const ava = rdns.flat().find((a) => a.oid === OID.commonName);
    dnCn = ava ? readString(readRoot(ava.value, 'DN')) : undefined;
  } catch (e) {
    if (e instanceof CodecError) throw usageError(`--dname: ${e.message.replace(/^DN: /, '')}`, 'write it like keytool: --dname "CN=mail.example.com, OU=IT, O=Example, C=DE"');
    throw e;
  }
  if (cn !== undefined && dnCn !== undefined && dnCn !== cn) {
    throw usageError(`--cn ${cn} and the CN in --dname (${dnCn}) differ`, 'give the name once: --dname "CN=mail.example.com, O=..." alone');
  }
  const name = cn ?? dnCn;
  if (name === undefined || name === '') throw usageError('the subject has no CN', 'add --cn mail.example.com');
  return { cn: name, rdns, san };
}

/** core's subject errors, in these flags. */
export function subjectInFlags(e: unknown): unknown {
  if (e instanceof NotAHostName) return reworded(e, e.message, 'give the DNS name: --cn mail.example.com (or CN=mail.example.com in --dname)');
  return e;
}
