/**
 * The packet lab's packets: Ethernet frames built from a preset and a few editable fields, or from
 * raw hex. Browser-safe (Uint8Array only): the web app, the CLI and tests build the same bytes.
 * Defaults are the playground's sandbox veth (10.99.0.2 → 10.99.0.1), so a program written for a Run
 * sees the same addresses here.
 */
export const PACKET_PRESETS = ['icmp', 'udp', 'tcp-syn', 'arp'] as const;
export type PacketPreset = (typeof PACKET_PRESETS)[number];

export interface PacketFields {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  ttl: number;
  /** UDP and TCP. */
  srcPort: number;
  dstPort: number;
  /** ICMP type: 8 echo request (the preset), 0 echo reply. */
  icmpType: number;
  /** ICMP echo identifier and sequence. */
  icmpId: number;
  icmpSeq: number;
  /** The name a UDP preset's DNS query asks for. */
  dnsName: string;
  /** ICMP echo payload, as text. */
  payload: string;
}

export const PACKET_DEFAULTS: Readonly<Record<PacketPreset, PacketFields>> = (() => {
  const base = {
    srcMac: '02:00:00:00:00:02',
    dstMac: '02:00:00:00:00:01',
    srcIp: '10.99.0.2',
    dstIp: '10.99.0.1',
    ttl: 64,
    srcPort: 40000,
    dstPort: 80,
    icmpType: 8,
    icmpId: 0x1234,
    icmpSeq: 1,
    dnsName: 'example.com',
    payload: 'bpfplay packet lab',
  };
  return Object.freeze({
    icmp: base,
    udp: { ...base, srcPort: 53000, dstPort: 53 },
    'tcp-syn': base,
    arp: { ...base, dstMac: 'ff:ff:ff:ff:ff:ff' },
  });
})();

/** Field names as the CLI's `--field name=value` and the web form spell them. */
export const PACKET_FIELD_NAMES = Object.keys(PACKET_DEFAULTS.icmp) as (keyof PacketFields)[];

export class PacketError extends Error {}

export function parseMac(s: string): number[] {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{1,2}$/i.test(p)))
    throw new PacketError(`"${s}" is not a MAC address (like 02:00:00:00:00:01)`);
  return parts.map((p) => parseInt(p, 16));
}

export function parseIpv4(s: string): number[] {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw new PacketError(`"${s}" is not an IPv4 address (like 10.99.0.1)`);
  return parts.map(Number);
}

function port(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new PacketError(`${what} ${n} is not a port (0-65535)`);
  return n;
}

/** The Internet checksum (RFC 1071) of `bytes`, with `seed` for a pseudo-header's sum. */
export function inetChecksum(bytes: Uint8Array, seed = 0): number {
  let sum = seed;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function ethernet(f: PacketFields, type: number, payload: number[]): Uint8Array {
  return Uint8Array.from([...parseMac(f.dstMac), ...parseMac(f.srcMac), ...be16(type), ...payload]);
}

function ipv4(f: PacketFields, proto: number, payload: number[]): number[] {
  if (!Number.isInteger(f.ttl) || f.ttl < 0 || f.ttl > 255) throw new PacketError(`ttl ${f.ttl} is not 0-255`);
  const h = [0x45, 0, ...be16(20 + payload.length), ...be16(0x4bf0), 0x40, 0, f.ttl, proto, 0, 0];
  h.push(...parseIpv4(f.srcIp), ...parseIpv4(f.dstIp));
  const sum = inetChecksum(Uint8Array.from(h));
  h[10] = sum >> 8;
  h[11] = sum & 0xff;
  return [...h, ...payload];
}

/** UDP and TCP checksums cover a pseudo-header of the addresses, protocol and length. */
function l4Checksum(f: PacketFields, proto: number, seg: number[]): number {
  const pseudo = Uint8Array.from([...parseIpv4(f.srcIp), ...parseIpv4(f.dstIp), 0, proto, ...be16(seg.length)]);
  let seed = 0;
  for (let i = 0; i < pseudo.length; i += 2) seed += (pseudo[i]! << 8) | pseudo[i + 1]!;
  return inetChecksum(Uint8Array.from(seg), seed);
}

function dnsQuery(name: string): number[] {
  const q = [...be16(0xb0f1), 0x01, 0x00, ...be16(1), 0, 0, 0, 0, 0, 0];
  for (const label of name.replace(/\.$/, '').split('.')) {
    const bytes = [...new TextEncoder().encode(label)];
    if (bytes.length === 0 || bytes.length > 63) throw new PacketError(`"${name}" is not a DNS name`);
    q.push(bytes.length, ...bytes);
  }
  return [...q, 0, ...be16(1), ...be16(1)]; // type A, class IN
}

/** A preset's packet with some fields changed. */
export function buildPacket(preset: PacketPreset, fields: Partial<PacketFields> = {}): Uint8Array {
  const f: PacketFields = { ...PACKET_DEFAULTS[preset], ...fields };
  switch (preset) {
    case 'icmp': {
      if (!Number.isInteger(f.icmpType) || f.icmpType < 0 || f.icmpType > 255)
        throw new PacketError(`icmpType ${f.icmpType} is not 0-255`);
      const icmp = [f.icmpType, 0, 0, 0, ...be16(f.icmpId), ...be16(f.icmpSeq), ...new TextEncoder().encode(f.payload)];
      const sum = inetChecksum(Uint8Array.from(icmp));
      icmp[2] = sum >> 8;
      icmp[3] = sum & 0xff;
      return ethernet(f, 0x0800, ipv4(f, 1, icmp));
    }
    case 'udp': {
      const data = dnsQuery(f.dnsName);
      const udp = [...be16(port(f.srcPort, 'srcPort')), ...be16(port(f.dstPort, 'dstPort')), ...be16(8 + data.length)];
      const seg = [...udp, 0, 0, ...data];
      const sum = l4Checksum(f, 17, seg) || 0xffff;
      seg[6] = sum >> 8;
      seg[7] = sum & 0xff;
      return ethernet(f, 0x0800, ipv4(f, 17, seg));
    }
    case 'tcp-syn': {
      const seg = [...be16(port(f.srcPort, 'srcPort')), ...be16(port(f.dstPort, 'dstPort')), ...be32(1), ...be32(0)];
      seg.push(0x50, 0x02, ...be16(64240), 0, 0, 0, 0); // 20-byte header, SYN, window, checksum, urgent
      const sum = l4Checksum(f, 6, seg);
      seg[16] = sum >> 8;
      seg[17] = sum & 0xff;
      return ethernet(f, 0x0800, ipv4(f, 6, seg));
    }
    case 'arp': {
      const arp = [...be16(1), ...be16(0x0800), 6, 4, ...be16(1), ...parseMac(f.srcMac), ...parseIpv4(f.srcIp)];
      arp.push(0, 0, 0, 0, 0, 0, ...parseIpv4(f.dstIp));
      return ethernet(f, 0x0806, arp);
    }
  }
}

/** `hex:…` bytes (spaces, colons and newlines allowed between them). */
export function parseHexPacket(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (!/^([0-9a-f]{2})+$/i.test(clean))
    throw new PacketError('hex packets are pairs of hex digits, like 02000000000102…');
  return Uint8Array.from(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

export function packetHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
