import type { AgentInfo, AgentLoad } from '@bpfplay/protocol';
import type { AgentEndpoint } from './endpoint';
import { fetchAgentInfo } from './info';

/** One node as users see it: no token, ever (this is what the web app's node list sends). */
export interface NodeStatus {
  name: string;
  url: string;
  health: 'up' | 'down' | 'unknown';
  /** Why it is down (the connection error or the agent's answer). */
  error?: string;
  hostname?: string;
  kernelRelease?: string;
  arch?: string;
  cpus?: number;
  /** Attach kinds this node's kernel supports (from its hello). */
  attach?: string[];
  runTargets?: string[];
  maxConcurrentRuns?: number;
  prebuiltObjects?: boolean;
  load?: AgentLoad;
  /** Milliseconds since the epoch of the last answer, and of the last check. */
  lastUp?: number;
  checkedAt?: number;
}

export interface RegistryOptions {
  /** Where the agents come from: a fixed list (agents file) or a lookup (Kubernetes DNS), read at each refresh. */
  sources: (() => AgentEndpoint[] | Promise<AgentEndpoint[]>)[];
  /** How long one agent may take to answer a refresh. */
  timeoutMs?: number;
  /** Stand-in for fetchAgentInfo in unit tests. */
  fetchInfo?: (ep: AgentEndpoint, timeoutMs: number) => Promise<AgentInfo>;
  now?: () => number;
}

interface Entry {
  endpoint: AgentEndpoint;
  status: NodeStatus;
}

/**
 * The agents one web app (or one CLI run) knows, with each node's kernel, capabilities, load and
 * health, refreshed by asking every agent at once. A node that stops answering is marked down with
 * the reason and kept (it comes back up at the next refresh that reaches it); a node that leaves
 * the sources (a DaemonSet pod gone from DNS) leaves the list.
 */
export class NodeRegistry {
  private readonly entries = new Map<string, Entry>();
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private readonly timeoutMs: number;
  private readonly fetchInfo: NonNullable<RegistryOptions['fetchInfo']>;
  private readonly now: () => number;

  constructor(private readonly opts: RegistryOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.fetchInfo = opts.fetchInfo ?? fetchAgentInfo;
    this.now = opts.now ?? Date.now;
  }

  /** Re-read the sources and ask every agent; concurrent callers share one refresh. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Refresh now and then every `intervalMs` (unref'd: it never keeps a process alive). */
  start(intervalMs: number): Promise<void> {
    this.stop();
    this.timer = setInterval(() => void this.refresh().catch(() => {}), intervalMs);
    this.timer.unref();
    return this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Every node, in source order, without tokens. */
  nodes(): NodeStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }));
  }

  /** The endpoint (with its token) of a node, for the server's own connections. */
  endpoint(name: string): AgentEndpoint | undefined {
    for (const e of this.entries.values()) if (e.status.name === name) return e.endpoint;
    return undefined;
  }

  /** Nodes that answered the last refresh. */
  up(): AgentEndpoint[] {
    return [...this.entries.values()].filter((e) => e.status.health === 'up').map((e) => e.endpoint);
  }

  /**
   * The least busy node that is up, for placing a learner: fewest runs for its run limit, then
   * fewest sessions, then the lowest load average per CPU. Undefined when no node is up.
   */
  leastLoaded(among?: (name: string) => boolean): AgentEndpoint | undefined {
    const score = (s: NodeStatus) => [
      (s.load?.runs ?? 0) / Math.max(1, s.maxConcurrentRuns ?? 1),
      s.load?.sessions ?? 0,
      (s.load?.loadAvg1 ?? 0) / Math.max(1, s.cpus ?? 1),
    ];
    let best: Entry | undefined;
    for (const e of this.entries.values()) {
      if (e.status.health !== 'up' || (among && !among(e.endpoint.name))) continue;
      if (!best || lexLess(score(e.status), score(best.status))) best = e;
    }
    return best?.endpoint;
  }

  private async doRefresh(): Promise<void> {
    const lists = await Promise.all(
      this.opts.sources.map(async (s) => {
        try {
          return await s();
        } catch {
          // A lookup that fails (DNS down) keeps the nodes it found before rather than dropping them all.
          return undefined;
        }
      }),
    );
    if (lists.every((l) => l !== undefined)) {
      const wanted = new Set(lists.flatMap((l) => l!.map((ep) => ep.url)));
      for (const url of [...this.entries.keys()]) if (!wanted.has(url)) this.entries.delete(url);
    }
    for (const ep of lists.flatMap((l) => l ?? [])) {
      const old = this.entries.get(ep.url);
      this.entries.set(ep.url, {
        endpoint: old ? { ...ep, name: old.endpoint.name } : ep,
        status: old?.status ?? { name: ep.name, url: ep.url, health: 'unknown' },
      });
    }
    await Promise.all([...this.entries.values()].map((e) => this.check(e)));
  }

  private async check(e: Entry): Promise<void> {
    const checkedAt = this.now();
    try {
      const info = await this.fetchInfo(e.endpoint, this.timeoutMs);
      e.status = {
        name: e.endpoint.name,
        url: e.endpoint.url,
        health: 'up',
        hostname: info.agent.hostname,
        kernelRelease: info.capabilities.kernelRelease,
        arch: info.capabilities.arch,
        cpus: info.capabilities.cpus,
        attach: info.capabilities.attach.filter((a) => a.supported).map((a) => a.kind),
        runTargets: info.capabilities.runTargets,
        maxConcurrentRuns: info.limits.maxConcurrentRuns,
        prebuiltObjects: info.capabilities.prebuiltObjects === true,
        ...(info.load ? { load: info.load } : {}),
        lastUp: checkedAt,
        checkedAt,
      };
    } catch (err) {
      // Down: keep what was known (kernel, last answer) so the list says which node it was.
      e.status = { ...e.status, health: 'down', error: (err as Error).message, checkedAt };
      delete e.status.load;
    }
  }
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
