import { packetSocket, sendFrame, closeFd } from '@bpfplay/libbpf';
import { NET, type SandboxNet } from './sandbox-net.js';
import type { PlantedPackets } from '../runner/ipc.js';

function ipv4(s: string): number[] {
  return s.split('.').map(Number);
}

function checksum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

type Kind = 'udp' | 'tcp' | 'icmp';
const PORTS = [53, 80, 443, 8080, 7777];

/**
 * One Ethernet + IPv4 frame from play1 to play0: UDP, a TCP SYN or an ICMP echo, so XDP and tc
 * examples have varied traffic to count, drop or pass. The IPv4 checksum is real (the stack drops
 * bad ones after XDP); L4 checksums are left to offload semantics (UDP 0 = none).
 */
export function buildFrame(net: SandboxNet, kind: Kind, seq: number, port?: number): Uint8Array {
  const l4len = kind === 'tcp' ? 20 : 8;
  const payload = 32;
  const f = new Uint8Array(14 + 20 + l4len + payload);
  f.set(net.devMac, 0);
  f.set(net.peerMac, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  const ip = 14;
  const total = 20 + l4len + payload;
  f.set([0x45, 0, total >> 8, total & 0xff, (seq >> 8) & 0xff, seq & 0xff, 0x40, 0, 64], ip);
  f[ip + 9] = kind === 'udp' ? 17 : kind === 'tcp' ? 6 : 1;
  f.set(ipv4(NET.peerAddr), ip + 12);
  f.set(ipv4(NET.addr), ip + 16);
  const c = checksum(f, ip, ip + 20);
  f[ip + 10] = c >> 8;
  f[ip + 11] = c & 0xff;
  const l4 = ip + 20;
  const sport = 40000 + (seq % 1000);
  const dport = port ?? PORTS[seq % PORTS.length]!;
  if (kind === 'icmp') {
    f.set([8, 0, 0, 0, 0x12, 0x34, (seq >> 8) & 0xff, seq & 0xff], l4);
    const ic = checksum(f, l4, f.length);
    f[l4 + 2] = ic >> 8;
    f[l4 + 3] = ic & 0xff;
  } else {
    f.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff], l4);
    if (kind === 'udp') f.set([(8 + payload) >> 8, (8 + payload) & 0xff, 0, 0], l4 + 4);
    else f.set([0, 0, 0, seq & 0xff, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0], l4 + 4);
  }
  return f;
}

/**
 * Sends `pps` frames a second into play0 until stopped; returns the stop function. A lesson check's
 * `planted` UDP packets (to a port the learner cannot guess) go first, all at once.
 */
export function startTraffic(net: SandboxNet, pps: number, planted?: PlantedPackets): () => void {
  const fd = packetSocket(NET.peer);
  let seq = 0;
  for (let i = 0; i < (planted?.count ?? 0); i++) sendFrame(fd, buildFrame(net, 'udp', seq++, planted!.port));
  const kinds: Kind[] = ['udp', 'udp', 'tcp', 'icmp'];
  const timer = setInterval(() => {
    for (let i = 0; i < Math.max(1, Math.round(pps / 10)); i++) {
      sendFrame(fd, buildFrame(net, kinds[seq % kinds.length]!, seq));
      seq++;
    }
  }, 100);
  return () => {
    clearInterval(timer);
    closeFd(fd);
  };
}
