import { execFileSync } from 'node:child_process';
import { attachSocketFilter, attachTc, closeFd, ifindex, packetSocket, TC_INGRESS } from '@bpfplay/libbpf';
import type { BpfLink, BpfProgram } from '@bpfplay/libbpf';

/**
 * The network a networking run sees. The runner process was started in a network namespace of its
 * own (`unshare --net`, never pinned), so this veth pair, and every XDP program or tc filter on it,
 * disappears with the runner — even if the agent is killed — and the host's own interfaces are
 * out of reach. Programs attach to `play0`; the traffic generator sends from `play1`.
 */
export const NET = {
  dev: 'play0',
  peer: 'play1',
  addr: '10.99.0.1',
  peerAddr: '10.99.0.2',
} as const;

export interface SandboxNet {
  devMac: Uint8Array;
  peerMac: Uint8Array;
  /** Things to undo at the end of the run (tc filters, sockets); the namespace does the rest. */
  cleanups: (() => void)[];
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function mac(dev: string): Uint8Array {
  const info = JSON.parse(ip('-j', 'link', 'show', dev)) as { address: string }[];
  return Uint8Array.from(info[0]!.address.split(':').map((h) => parseInt(h, 16)));
}

export function setupSandboxNet(): SandboxNet {
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', NET.dev, 'type', 'veth', 'peer', 'name', NET.peer);
  ip('addr', 'add', `${NET.addr}/24`, 'dev', NET.dev);
  ip('addr', 'add', `${NET.peerAddr}/24`, 'dev', NET.peer);
  ip('link', 'set', NET.dev, 'up');
  ip('link', 'set', NET.peer, 'up');
  return { devMac: mac(NET.dev), peerMac: mac(NET.peer), cleanups: [] };
}

/** Attach an XDP, tc or socket-filter program to the sandbox device; returns a description. */
export function attachToSandbox(
  net: SandboxNet,
  prog: BpfProgram,
  kind: 'xdp' | 'tc' | 'socket',
  keep: (link: BpfLink) => void = () => {},
): string {
  const index = ifindex(NET.dev);
  switch (kind) {
    case 'xdp':
      keep(prog.attachXdp(index));
      return `${NET.dev} (XDP, sandbox veth; traffic from ${NET.peer})`;
    case 'tc':
      net.cleanups.push(attachTc(prog.fd, index, TC_INGRESS));
      return `${NET.dev} ingress (tc, sandbox veth)`;
    case 'socket': {
      const fd = packetSocket(NET.dev);
      attachSocketFilter(fd, prog.fd);
      net.cleanups.push(() => closeFd(fd));
      return `AF_PACKET socket on ${NET.dev}`;
    }
  }
}

/** True when the run needs the sandbox network (and so a runner in its own namespace). */
export function needsNetwork(kinds: string[]): boolean {
  return kinds.some((k) => k === 'xdp' || k === 'tc' || k === 'socket');
}
