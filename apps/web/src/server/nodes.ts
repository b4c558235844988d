import { startRegistry } from '@bpfplay/nodes/config';
import type { NodeStatus } from '@bpfplay/nodes';

/** What GET /api/nodes answers: the agents this web app knows, without their tokens or addresses. */
export interface NodesResponse {
  /** false: no BPFPLAY_AGENTS_FILE / BPFPLAY_AGENTS_SERVICE, the web app has its one agent. */
  configured: boolean;
  nodes: Omit<NodeStatus, 'url'>[];
  error?: string;
}

/**
 * The node list for one environment: the registry starts at the first request and refreshes in
 * the background from then on (packages/nodes). Agent addresses stay on the server: a page needs
 * a node's name, kernel, capabilities, load and health, not where to reach it.
 */
export function createNodeList(env: Record<string, string | undefined>): () => Promise<NodesResponse> {
  let registry: ReturnType<typeof startRegistry> | undefined;
  return async () => {
    registry ??= startRegistry(env);
    try {
      const r = await registry;
      if (!r) return { configured: false, nodes: [] };
      return {
        configured: true,
        nodes: r.nodes().map(({ url, ...n }) => (n.error ? { ...n, error: withoutAddress(n.error, url, n.name) } : n)),
      };
    } catch (e) {
      registry = undefined; // a fixed file is read again at the next request
      return { configured: true, nodes: [], error: (e as Error).message };
    }
  };
}

/**
 * A down node's reason without where the agent is: the URL's host, and any IP address with its port
 * that the connection error names ("connect ECONNREFUSED 10.0.0.5:7100"), become the node's name.
 */
export function withoutAddress(message: string, url: string, name: string): string {
  const { host, hostname } = new URL(url);
  return message
    .split(host)
    .join(name)
    .split(hostname)
    .join(name)
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, name)
    .replace(/\[?[0-9a-f]*:[0-9a-f:]+\]?(?::\d+)?(?=[\s,;)]|$)/gi, (m) =>
      m.includes('::') || m.split(':').length > 3 ? name : m,
    );
}

/** On globalThis: one registry per web process, shared by the route and the page (and kept across `next dev` reloads). */
const KEY = Symbol.for('bpfplay.web.nodeList');

/** The node list of this process's environment: GET /api/nodes and the /nodes page read the same registry. */
export function defaultNodeList(): () => Promise<NodesResponse> {
  const g = globalThis as { [KEY]?: () => Promise<NodesResponse> };
  return (g[KEY] ??= createNodeList(process.env));
}
