import { describe, expect, it } from 'vitest';
import {
  buildPacket,
  decodeFlowKeys,
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
    expect(verdictName('flow_dissector', 0)).toBe('BPF_OK');
    expect(verdictName('flow_dissector', 2)).toBe('BPF_DROP');
    expect(verdictName('flow_dissector', 129)).toBe('BPF_FLOW_DISSECTOR_CONTINUE');
  });

  it('flow keys decode by the kernel layout: host-order offsets and addr_proto, wire-order ports and addresses', () => {
    // What this kernel returned for a UDP 10.99.0.1:54321 → 10.99.0.2:53 packet (bpftool prog run).
    const keys = parseHexPacket(
      '0e002200000800000011' + '0800' + 'd4310035' + '0a6300010a630002' + '00'.repeat(24) + '01000000' + '000abcde',
    );
    const got = Object.fromEntries(decodeFlowKeys(keys).map((f) => [f.name, f.value]));
    expect(got).toEqual({
      nhoff: '14',
      thoff: '34',
      addr_proto: '0x0800 IPv4',
      is_frag: '0',
      is_first_frag: '0',
      is_encap: '0',
      ip_proto: '17 UDP',
      n_proto: '0x0800 IPv4',
      sport: '54321',
      dport: '53',
      ipv4_src: '10.99.0.1',
      ipv4_dst: '10.99.0.2',
      flags: '0x1 PARSE_1ST_FRAG',
      flow_label: '0xabcde',
    });
    // IPv6 keys show the other member of the union; a short buffer is an error, not zeros.
    keys.set([0xdd, 0x86], 4);
    keys.set([0x20, 0x01, 0x0d, 0xb8], 16);
    const v6 = decodeFlowKeys(keys);
    expect(v6.find((f) => f.name === 'ipv6_src')?.value).toBe('2001:db8:a63:2:0:0:0:0');
    expect(v6.some((f) => f.name.startsWith('ipv4'))).toBe(false);
    expect(() => decodeFlowKeys(keys.subarray(0, 40))).toThrow(/56 bytes; the kernel returned 40/);
  });
});
