/**
 * What a flow dissector's test run returns: not a packet (a flow dissector only reads the packet) but
 * the `struct bpf_flow_keys` the program filled in, which the kernel copies to the test run's data_out
 * (net/bpf/test_run.c, bpf_prog_test_run_flow_dissector). Decoded here, member by member under the
 * names a program writes them by, for the web pane, the CLI and the packet-lab checks.
 *
 * Layout (include/uapi/linux/bpf.h, 56 bytes): nhoff, thoff, addr_proto are host-order u16 (the kernel
 * compares addr_proto with ETH_P_IP unswapped); n_proto, sport, dport, the addresses and flow_label are
 * in network order, as the program copied them from the packet.
 */
import type { PacketField } from './decode';

export const FLOW_KEYS_BYTES = 56;

const ETH_P: Record<number, string> = { 0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8100: 'VLAN' };
const IP_PROTO: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 4: 'IPIP', 47: 'GRE' };
/** BPF_FLOW_DISSECTOR_F_*: what the caller asked the dissector to do (set by the kernel, read by the program). */
const FLAGS = ['PARSE_1ST_FRAG', 'STOP_AT_FLOW_LABEL', 'STOP_AT_ENCAP'];

const hex16 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const named = (n: number, names: Record<number, string>, show: (n: number) => string) =>
  `${show(n)}${names[n] ? ` ${names[n]}` : ''}`;

/**
 * The flow keys as fields (`off`/`len` within the struct). The address members are shown as the
 * union member `addr_proto` selects (ipv4_* or ipv6_*); with any other addr_proto, as both.
 */
export function decodeFlowKeys(k: Uint8Array): PacketField[] {
  if (k.length < FLOW_KEYS_BYTES)
    throw new Error(`struct bpf_flow_keys is ${FLOW_KEYS_BYTES} bytes; the kernel returned ${k.length}`);
  const v = new DataView(k.buffer, k.byteOffset, k.byteLength);
  const out: PacketField[] = [];
  const add = (name: string, off: number, len: number, value: string) => out.push({ name, value, off, len });
  const ipv4 = (o: number) => Array.from(k.subarray(o, o + 4)).join('.');
  const ipv6 = (o: number) => Array.from({ length: 8 }, (_, i) => v.getUint16(o + 2 * i, false).toString(16)).join(':');
  add('nhoff', 0, 2, String(v.getUint16(0, true)));
  add('thoff', 2, 2, String(v.getUint16(2, true)));
  const addrProto = v.getUint16(4, true);
  add('addr_proto', 4, 2, named(addrProto, ETH_P, hex16));
  add('is_frag', 6, 1, String(k[6]));
  add('is_first_frag', 7, 1, String(k[7]));
  add('is_encap', 8, 1, String(k[8]));
  add('ip_proto', 9, 1, named(k[9]!, IP_PROTO, String));
  add('n_proto', 10, 2, named(v.getUint16(10, false), ETH_P, hex16));
  add('sport', 12, 2, String(v.getUint16(12, false)));
  add('dport', 14, 2, String(v.getUint16(14, false)));
  if (addrProto !== 0x86dd) {
    add('ipv4_src', 16, 4, ipv4(16));
    add('ipv4_dst', 20, 4, ipv4(20));
  }
  if (addrProto !== 0x0800) {
    add('ipv6_src', 16, 16, ipv6(16));
    add('ipv6_dst', 32, 16, ipv6(32));
  }
  const flags = v.getUint32(48, true);
  const set = FLAGS.filter((_, i) => flags & (1 << i));
  add('flags', 48, 4, `0x${flags.toString(16)}${set.length ? ` ${set.join('|')}` : ''}`);
  add('flow_label', 52, 4, `0x${v.getUint32(52, false).toString(16)}`);
  return out;
}
