/**
 * A packet lab packet as people read it: layer by layer (Ethernet, ARP, IPv4, ICMP, UDP, DNS, TCP),
 * each field with where its bytes are, and what a program changed between the packet it was given
 * and the packet it left. One decoder for the web pane and the CLI.
 */
export interface PacketField {
  name: string;
  value: string;
  /** Byte offset and length in the packet. */
  off: number;
  len: number;
}

export interface PacketLayer {
  layer: string;
  fields: PacketField[];
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');
const mac = (p: Uint8Array, o: number) => Array.from(p.subarray(o, o + 6), hex2).join(':');
const ip = (p: Uint8Array, o: number) => Array.from(p.subarray(o, o + 4)).join('.');
const u16 = (p: Uint8Array, o: number) => (p[o]! << 8) | p[o + 1]!;
const u32 = (p: Uint8Array, o: number) => ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
const hex16 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

const ETHERTYPES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: 'VLAN' };
const PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };
const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  8: 'echo request',
  11: 'time exceeded',
};
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

/** Fields of `p` from `base`, read while the bytes are there (a truncated packet decodes what it has). */
class Reader {
  readonly fields: PacketField[] = [];
  constructor(
    private readonly p: Uint8Array,
    private readonly base: number,
  ) {}
  has(off: number, len: number): boolean {
    return this.base + off + len <= this.p.length;
  }
  add(name: string, off: number, len: number, value: (p: Uint8Array, o: number) => string): void {
    if (this.has(off, len))
      this.fields.push({ name, value: value(this.p, this.base + off), off: this.base + off, len });
  }
}

export function decodePacket(p: Uint8Array): PacketLayer[] {
  const layers: PacketLayer[] = [];
  const eth = new Reader(p, 0);
  eth.add('dst', 0, 6, mac);
  eth.add('src', 6, 6, mac);
  eth.add('type', 12, 2, (b, o) => `${hex16(u16(b, o))}${ETHERTYPES[u16(b, o)] ? ` ${ETHERTYPES[u16(b, o)]}` : ''}`);
  layers.push({ layer: 'Ethernet', fields: eth.fields });
  if (p.length < 14) return layers;
  const type = u16(p, 12);
  if (type === 0x0806) {
    const a = new Reader(p, 14);
    a.add('op', 6, 2, (b, o) => (u16(b, o) === 1 ? 'request' : u16(b, o) === 2 ? 'reply' : String(u16(b, o))));
    a.add('sender mac', 8, 6, mac);
    a.add('sender ip', 14, 4, ip);
    a.add('target mac', 18, 6, mac);
    a.add('target ip', 24, 4, ip);
    layers.push({ layer: 'ARP', fields: a.fields });
    return layers;
  }
  if (type !== 0x0800 || p.length < 34) return layers;
  const ihl = (p[14]! & 0x0f) * 4;
  const v4 = new Reader(p, 14);
  v4.add('length', 2, 2, (b, o) => String(u16(b, o)));
  v4.add('ttl', 8, 1, (b, o) => String(b[o]));
  v4.add('protocol', 9, 1, (b, o) => `${b[o]}${PROTOCOLS[b[o]!] ? ` ${PROTOCOLS[b[o]!]}` : ''}`);
  v4.add('checksum', 10, 2, (b, o) => hex16(u16(b, o)));
  v4.add('src', 12, 4, ip);
  v4.add('dst', 16, 4, ip);
  layers.push({ layer: 'IPv4', fields: v4.fields });
  const l4 = 14 + ihl;
  const proto = p[23];
  if (proto === 1) {
    const r = new Reader(p, l4);
    r.add('type', 0, 1, (b, o) => `${b[o]}${ICMP_TYPES[b[o]!] ? ` ${ICMP_TYPES[b[o]!]}` : ''}`);
    r.add('code', 1, 1, (b, o) => String(b[o]));
    r.add('checksum', 2, 2, (b, o) => hex16(u16(b, o)));
    r.add('id', 4, 2, (b, o) => hex16(u16(b, o)));
    r.add('seq', 6, 2, (b, o) => String(u16(b, o)));
    layers.push({ layer: 'ICMP', fields: r.fields });
  } else if (proto === 17) {
    const r = new Reader(p, l4);
    r.add('src port', 0, 2, (b, o) => String(u16(b, o)));
    r.add('dst port', 2, 2, (b, o) => String(u16(b, o)));
    r.add('length', 4, 2, (b, o) => String(u16(b, o)));
    r.add('checksum', 6, 2, (b, o) => hex16(u16(b, o)));
    layers.push({ layer: 'UDP', fields: r.fields });
    if (r.has(0, 20) && (u16(p, l4) === 53 || u16(p, l4 + 2) === 53)) layers.push(dns(p, l4 + 8));
  } else if (proto === 6) {
    const r = new Reader(p, l4);
    r.add('src port', 0, 2, (b, o) => String(u16(b, o)));
    r.add('dst port', 2, 2, (b, o) => String(u16(b, o)));
    r.add('seq', 4, 4, (b, o) => String(u32(b, o)));
    r.add('ack', 8, 4, (b, o) => String(u32(b, o)));
    r.add('flags', 13, 1, (b, o) => TCP_FLAGS.filter((_, i) => b[o]! & (1 << i)).join('|') || 'none');
    r.add('checksum', 16, 2, (b, o) => hex16(u16(b, o)));
    layers.push({ layer: 'TCP', fields: r.fields });
  }
  return layers;
}

function dns(p: Uint8Array, at: number): PacketLayer {
  const r = new Reader(p, at);
  r.add('id', 0, 2, (b, o) => hex16(u16(b, o)));
  r.add('flags', 2, 2, (b, o) => (b[o]! & 0x80 ? 'response' : 'query'));
  const labels: string[] = [];
  let o = at + 12;
  while (o < p.length && p[o]! > 0 && p[o]! < 64 && labels.length < 32) {
    labels.push(new TextDecoder().decode(p.subarray(o + 1, o + 1 + p[o]!)));
    o += 1 + p[o]!;
  }
  if (labels.length) r.fields.push({ name: 'name', value: labels.join('.'), off: at + 12, len: o + 1 - at - 12 });
  return { layer: 'DNS', fields: r.fields };
}

export interface PacketDiff {
  /** Fields whose value changed, by layer and name. */
  fields: { layer: string; name: string; before: string; after: string }[];
  /** Offsets of bytes that differ (over the shorter length), and the length change. */
  bytesChanged: number[];
  lengthBefore: number;
  lengthAfter: number;
}

export function diffPackets(before: Uint8Array, after: Uint8Array): PacketDiff {
  const a = decodePacket(before);
  const b = decodePacket(after);
  const fields: PacketDiff['fields'] = [];
  for (const la of a) {
    const lb = b.find((l) => l.layer === la.layer);
    for (const fa of la.fields) {
      const fb = lb?.fields.find((f) => f.name === fa.name);
      if (fb && fb.value !== fa.value)
        fields.push({ layer: la.layer, name: fa.name, before: fa.value, after: fb.value });
    }
  }
  const bytesChanged: number[] = [];
  for (let i = 0; i < Math.min(before.length, after.length); i++) if (before[i] !== after[i]) bytesChanged.push(i);
  return { fields, bytesChanged, lengthBefore: before.length, lengthAfter: after.length };
}

/** BPF_FLOW_DISSECTOR_CONTINUE: "not handled here, use the kernel's own dissector" (Linux 6.1+). */
const FLOW_DISSECTOR_RETURNS: Record<number, string> = {
  0: 'BPF_OK',
  2: 'BPF_DROP',
  129: 'BPF_FLOW_DISSECTOR_CONTINUE',
};

/** What a program's return value means for its kind of program. */
export function verdictName(kind: string, retval: number): string {
  const n = retval | 0;
  if (kind === 'xdp') return ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'][n] ?? `XDP ${n}`;
  if (kind === 'tc') {
    if (n === -1) return 'TC_ACT_UNSPEC';
    return (
      [
        'TC_ACT_OK',
        'TC_ACT_RECLASSIFY',
        'TC_ACT_SHOT',
        'TC_ACT_PIPE',
        'TC_ACT_STOLEN',
        'TC_ACT_QUEUED',
        'TC_ACT_REPEAT',
        'TC_ACT_REDIRECT',
      ][n] ?? `TC ${n}`
    );
  }
  if (kind === 'socket') return n === 0 ? 'drop (0 bytes kept)' : `keep ${retval >>> 0} bytes`;
  if (kind === 'flow_dissector') return FLOW_DISSECTOR_RETURNS[n] ?? String(n);
  return String(n);
}
