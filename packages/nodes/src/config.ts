import { existsSync, readFileSync } from 'node:fs';
import { readAgentsFile } from './agents-file';
import { discoverAgents, type Resolver } from './discovery';
import { tlsFromFiles, type AgentEndpoint } from './endpoint';
import { NodeRegistry } from './registry';

/**
 * Where a web app's agents come from, from its environment (one home for these variables; the
 * Kubernetes manifests and compose file set them):
 *
 * - `BPFPLAY_AGENTS_FILE`: an agents file (`URL TOKEN [NAME]` lines), for a fixed set of machines;
 * - `BPFPLAY_AGENTS_SERVICE`: a headless Service's DNS name (the DaemonSet), with
 *   `BPFPLAY_AGENTS_PORT_NAME` (SRV, default `ws`), `BPFPLAY_AGENTS_PORT` (A-record fallback, 7100)
 *   and one token for all of them: `BPFPLAY_AGENT_TOKEN` or `BPFPLAY_AGENT_TOKEN_FILE` (a mounted Secret);
 * - TLS, optional: `BPFPLAY_AGENTS_SCHEME=wss`, `BPFPLAY_AGENTS_CA` (PEM file of the CA that signed
 *   the agents' certificates), `BPFPLAY_AGENTS_SERVERNAME` (the name in those certificates).
 *
 * Undefined when neither is set: the web app then has the one agent it always had.
 */
export interface NodesConfig {
  sources: (() => AgentEndpoint[] | Promise<AgentEndpoint[]>)[];
  /** Seconds between refreshes of every node's status. */
  refreshSeconds: number;
}

export function nodesConfig(
  env: Record<string, string | undefined> = process.env,
  resolver?: Resolver,
): NodesConfig | undefined {
  const file = env.BPFPLAY_AGENTS_FILE;
  const service = env.BPFPLAY_AGENTS_SERVICE;
  if (!file && !service) return undefined;
  const tls = tlsFromFiles(env.BPFPLAY_AGENTS_CA, env.BPFPLAY_AGENTS_SERVERNAME);
  const sources: NodesConfig['sources'] = [];
  if (file) {
    readAgentsFile(file, tls); // a broken file stops the server at start, with the line that is wrong
    sources.push(() => readAgentsFile(file, tls));
  }
  if (service) {
    const tokenFile = env.BPFPLAY_AGENT_TOKEN_FILE;
    const token =
      env.BPFPLAY_AGENT_TOKEN ||
      (tokenFile && existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
    if (!token) {
      throw new Error(
        "BPFPLAY_AGENTS_SERVICE needs the agents' token: BPFPLAY_AGENT_TOKEN or BPFPLAY_AGENT_TOKEN_FILE (the Secret)",
      );
    }
    const scheme = env.BPFPLAY_AGENTS_SCHEME ?? 'ws';
    if (scheme !== 'ws' && scheme !== 'wss') throw new Error(`BPFPLAY_AGENTS_SCHEME is ws or wss, got "${scheme}"`);
    const port = Number(env.BPFPLAY_AGENTS_PORT ?? 7100);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new Error(`BPFPLAY_AGENTS_PORT must be a port number, got "${env.BPFPLAY_AGENTS_PORT}"`);
    }
    const d = {
      service,
      portName: env.BPFPLAY_AGENTS_PORT_NAME ?? 'ws',
      defaultPort: port,
      token,
      scheme,
      ...(tls ? { tls } : {}),
    } as const;
    sources.push(() => discoverAgents(d, resolver));
  }
  const refreshSeconds = Number(env.BPFPLAY_AGENTS_REFRESH_SECONDS ?? 10);
  if (!(refreshSeconds > 0)) throw new Error('BPFPLAY_AGENTS_REFRESH_SECONDS must be a positive number');
  return { sources, refreshSeconds };
}

/** The registry a web app's server runs (refreshing in the background), or undefined without nodes config. */
export async function startRegistry(
  env: Record<string, string | undefined> = process.env,
): Promise<NodeRegistry | undefined> {
  const config = nodesConfig(env);
  if (!config) return undefined;
  const registry = new NodeRegistry({ sources: config.sources });
  await registry.start(config.refreshSeconds * 1000);
  return registry;
}
