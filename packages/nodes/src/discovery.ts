import { promises as dns } from 'node:dns';
import type { AgentEndpoint, TlsOptions } from './endpoint';

/** The two lookups discovery needs; node:dns/promises in production, a stub in tests. */
export interface Resolver {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolve4(name: string): Promise<string[]>;
}

export interface ServiceDiscovery {
  /** The headless Service's DNS name, e.g. `bpfplay-agent.bpfplay.svc.cluster.local`. */
  service: string;
  /** The Service's port name (SRV records are `_<port>._tcp.<service>`). */
  portName: string;
  /** Used when the cluster DNS has no SRV records for the Service (A records only). */
  defaultPort: number;
  /** One token for the whole DaemonSet (the Secret every agent pod mounts). */
  token: string;
  /** `wss` when the agents serve TLS. */
  scheme: 'ws' | 'wss';
  tls?: TlsOptions;
}

/** DNS answers that mean "no such records", as opposed to a DNS server that cannot be reached. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND', 'ENONAME', 'NXDOMAIN']);

/**
 * The agents behind a Kubernetes headless Service, one per ready pod of the DaemonSet. A headless
 * Service (clusterIP: None) answers with every ready pod's address instead of one virtual IP, so
 * the web app sees each node; SRV records add the port. The DaemonSet uses the host network, so a
 * pod's address is its node's. Names are the addresses until the agent's hello says its hostname.
 * Order is stable (sorted by address) so a re-read does not reshuffle the node list.
 */
export async function discoverAgents(d: ServiceDiscovery, resolver: Resolver = dns): Promise<AgentEndpoint[]> {
  const hosts = new Map<string, number>();
  try {
    const srv = await resolver.resolveSrv(`_${d.portName}._tcp.${d.service}`);
    // SRV targets are names (`10-0-0-5.bpfplay-agent.…`); resolve each to connect by address.
    for (const r of srv) {
      for (const ip of await resolver.resolve4(r.name)) hosts.set(ip, r.port);
    }
  } catch (e) {
    if (!NO_RECORDS.has((e as NodeJS.ErrnoException).code ?? '')) throw lookupError(d.service, e);
  }
  if (hosts.size === 0) {
    try {
      for (const ip of await resolver.resolve4(d.service)) hosts.set(ip, d.defaultPort);
    } catch (e) {
      if (!NO_RECORDS.has((e as NodeJS.ErrnoException).code ?? '')) throw lookupError(d.service, e);
    }
  }
  return [...hosts]
    .sort(([a], [b]) => ipOrder(a) - ipOrder(b))
    .map(([ip, port]) => ({
      name: `${ip}:${port}`,
      url: `${d.scheme}://${ip}:${port}/ws`,
      token: d.token,
      ...(d.tls ? { tls: d.tls } : {}),
    }));
}

function lookupError(service: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  return new Error(`cannot look up the agents' Service ${service}: ${err.code ?? err.message}`);
}

function ipOrder(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
