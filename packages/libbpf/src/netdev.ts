import { bpf, c, errno, koffi, TcHook, TcOpts } from './native.js';
import { checkInt, LibbpfError } from './errors.js';

const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const ETH_P_ALL_BE = 0x0300; // htons(ETH_P_ALL)
const SOL_SOCKET = 1;
const SO_ATTACH_BPF = 50;
export const TC_INGRESS = 1;
export const TC_EGRESS = 2;

export function ifindex(name: string): number {
  const i = c.if_nametoindex(name);
  if (i === 0) throw new LibbpfError(`if_nametoindex(${name})`, errno());
  return i;
}

/** An AF_PACKET socket bound to one interface: receives (and can send) whole Ethernet frames. */
export function packetSocket(ifname: string): number {
  const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_ALL_BE);
  if (fd < 0) throw new LibbpfError('socket(AF_PACKET)', errno());
  const sll = Buffer.alloc(20);
  sll.writeUInt16LE(AF_PACKET, 0);
  sll.writeUInt16LE(ETH_P_ALL_BE, 2);
  sll.writeInt32LE(ifindex(ifname), 4);
  if (c.bind(fd, sll, sll.length) < 0) {
    const e = errno();
    c.close(fd);
    throw new LibbpfError(`bind(AF_PACKET, ${ifname})`, e);
  }
  return fd;
}

/** Attach a socket filter program to a socket; it lives as long as the socket. */
export function attachSocketFilter(sockFd: number, progFd: number): void {
  const v = Buffer.alloc(4);
  v.writeInt32LE(progFd, 0);
  if (c.setsockopt(sockFd, SOL_SOCKET, SO_ATTACH_BPF, v, 4) < 0)
    throw new LibbpfError('setsockopt(SO_ATTACH_BPF)', errno());
}

export function sendFrame(fd: number, frame: Uint8Array): boolean {
  return c.write(fd, frame, frame.length) === frame.length;
}

/**
 * Attach a tc (sched_cls) program with libbpf's netlink API (tcx links need kernel 6.6; this works on all). Unlike
 * a bpf_link, the filter outlives our fds: callers attach only to devices they own and destroy.
 */
export function attachTc(progFd: number, ifindexValue: number, point: number): () => void {
  const hook = { sz: koffi.sizeof(TcHook), ifindex: ifindexValue, attach_point: point, parent: 0 };
  const r = bpf.tc_hook_create(hook);
  if (r < 0 && r !== -17 /* EEXIST: clsact already there */) checkInt('bpf_tc_hook_create', r);
  const opts = { sz: koffi.sizeof(TcOpts), prog_fd: progFd, flags: 0, prog_id: 0, handle: 0, priority: 0 };
  checkInt('bpf_tc_attach', bpf.tc_attach(hook, opts));
  return () => void bpf.tc_hook_destroy({ ...hook, attach_point: TC_INGRESS | TC_EGRESS });
}
