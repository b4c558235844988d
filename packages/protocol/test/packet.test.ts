import { describe, expect, it } from 'vitest';
import {
  buildPacket,
  decodePacket,
  diffPackets,
  inetChecksum,
  PACKET_PRESETS,
  PacketError,
  packetHex,
  parseHexPacket,
  verdictName,
} from '../src/index';

const field = (p: Uint8Array, layer: string, name: string) =>
  decodePacket(p)
    .find((l) => l.layer === layer)
    ?.fields.find((f) => f.name === name)?.value;

describe('packet lab packets', () => {
  it('every preset decodes to the layers it is made of, with valid checksums', () => {
    const layers = Object.fromEntries(PACKET_PRESETS.map((p) => [p, decodePacket(buildPacket(p)).map((l) => l.layer)]));
    expect(layers).toEqual({
      icmp: ['Ethernet', 'IPv4', 'ICMP'],
      udp: ['Ethernet', 'IPv4', 'UDP', 'DNS'],
      'tcp-syn': ['Ethernet', 'IPv4', 'TCP'],
      arp: ['Ethernet', 'ARP'],
    });
    for (const p of ['icmp', 'udp', 'tcp-syn'] as const) {
      const b = buildPacket(p);
      // A header whose checksum field is right sums (with it) to 0xffff: its checksum is 0.
      expect(inetChecksum(b.subarray(14, 34)), `${p} IPv4 header`).toBe(0);
    }
    expect(inetChecksum(buildPacket('icmp').subarray(34)), 'ICMP').toBe(0);
  });

  it('edited fields land where a decoder reads them', () => {
    const p = buildPacket('udp', { srcIp: '192.0.2.1', dstPort: 5353, dnsName: 'bpf.io', ttl: 3 });
    expect(field(p, 'IPv4', 'src')).toBe('192.0.2.1');
    expect(field(p, 'IPv4', 'ttl')).toBe('3');
    expect(field(p, 'UDP', 'dst port')).toBe('5353');
    expect(field(p, 'TCP', 'flags')).toBeUndefined();
    expect(field(buildPacket('tcp-syn'), 'TCP', 'flags')).toBe('SYN');
    expect(field(buildPacket('arp'), 'ARP', 'target ip')).toBe('10.99.0.1');
  });

  it('a bad field says which and why', () => {
    expect(() => buildPacket('icmp', { srcIp: '10.0.0.300' })).toThrow(PacketError);
    expect(() => buildPacket('udp', { dstPort: 70000 })).toThrow(/dstPort 70000 is not a port/);
    expect(() => parseHexPacket('abc')).toThrow(/pairs of hex digits/);
  });

  it('hex round-trips, with spaces and colons allowed', () => {
    const p = buildPacket('arp');
    expect(packetHex(parseHexPacket(packetHex(p).replace(/(..)/g, '$1 ')))).toBe(packetHex(p));
  });

  it('the diff names the fields a reply rewrote and the bytes that differ', () => {
    const req = buildPacket('icmp');
    const reply = buildPacket('icmp', {
      srcMac: '02:00:00:00:00:01',
      dstMac: '02:00:00:00:00:02',
      srcIp: '10.99.0.1',
      dstIp: '10.99.0.2',
      icmpType: 0,
    });
    const d = diffPackets(req, reply);
    expect(d.fields.map((f) => `${f.layer} ${f.name}`)).toEqual([
      'Ethernet dst',
      'Ethernet src',
      'IPv4 src',
      'IPv4 dst',
      'ICMP type',
      'ICMP checksum',
    ]);
    expect(d.lengthAfter).toBe(d.lengthBefore);
    expect(diffPackets(req, req)).toEqual({
      fields: [],
      bytesChanged: [],
      lengthBefore: req.length,
      lengthAfter: req.length,
    });
  });

  it('verdicts read as the program type defines them', () => {
    expect(verdictName('xdp', 3)).toBe('XDP_TX');
    expect(verdictName('tc', 2)).toBe('TC_ACT_SHOT');
    expect(verdictName('tc', 0xffffffff)).toBe('TC_ACT_UNSPEC');
    expect(verdictName('socket', 0)).toBe('drop (0 bytes kept)');
    expect(verdictName('socket', 57)).toBe('keep 57 bytes');
  });
});
