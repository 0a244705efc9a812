// codec/ip.ts against Node's own address parser (node:net), and the octets RFC 5280 wants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { isIpAddress, parseIp } from '../../src/codec/ip.js';

const inputs = [
  '192.0.2.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1.2.3.', ' 1.2.3.4', '1.2.3.-4',
  '::', '::1', '1::', '2001:db8::1', '2001:DB8:0:0:8:800:200C:417A', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2::3', ':1::', '1:::2', '12345::', 'g::1', '::ffff:192.0.2.1', '::192.0.2.1',
  '1:2:3:4:5:6:192.0.2.1', '1:2:3:4:5:6:7:192.0.2.1', '::ffff:192.0.2', '::ffff:1.2.3.256', 'mail.example.com', '', ':', '1.2.3.4::',
];

test('parseIp accepts exactly the addresses node:net accepts (no zone ids)', () => {
  for (const text of inputs) assert.equal(isIpAddress(text), isIP(text) !== 0, text);
});

test('parseIp gives the 4 or 16 octets of an iPAddress name', () => {
  assert.deepEqual(parseIp('192.0.2.1'), Uint8Array.of(192, 0, 2, 1));
  assert.deepEqual(parseIp('::1'), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
  assert.deepEqual(parseIp('2001:db8::8:800:200c:417a'), Uint8Array.from(Buffer.from('20010db80000000000080800200c417a', 'hex')));
  assert.deepEqual(parseIp('::ffff:192.0.2.1'), Uint8Array.from(Buffer.from('00000000000000000000ffffc0000201', 'hex')));
  assert.equal(parseIp('fe80::1%eth0'), undefined);
});
