import type { NodesResponse } from '../server/nodes';

/** One node as the node list shows it: every cell already a sentence fragment, so the page only lays out. */
export interface NodeRow {
  name: string;
  health: 'up' | 'down' | 'unknown';
  /** "up", "down: <why>", "not checked yet". */
  healthText: string;
  kernel: string;
  machine: string;
  /** Attach kinds this node's kernel supports. */
  attach: string[];
  /** Other capabilities worth knowing when choosing a node: targets, shipped objects. */
  extras: string[];
  load: string;
  /** How long ago the node last answered, e.g. "4 s ago"; "never" when it has not. */
  lastUp: string;
}

export type NodeSummary = NodesResponse['nodes'][number];

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

export function nodeRow(n: NodeSummary, now: number): NodeRow {
  const healthText =
    n.health === 'up' ? 'up' : n.health === 'down' ? `down${n.error ? `: ${n.error}` : ''}` : 'not checked yet';
  const machine = [n.hostname, n.arch, n.cpus !== undefined ? `${n.cpus} CPU${n.cpus === 1 ? '' : 's'}` : undefined]
    .filter(Boolean)
    .join(' · ');
  const extras: string[] = [];
  for (const t of n.runTargets ?? []) if (t !== 'host') extras.push(`runs on ${t}`);
  if (n.prebuiltObjects) extras.push('takes shipped objects');
  const l = n.load;
  const load = l
    ? `${l.runs}${n.maxConcurrentRuns !== undefined ? `/${n.maxConcurrentRuns}` : ''} runs · ` +
      `${l.sessions} session${l.sessions === 1 ? '' : 's'} · load ${l.loadAvg1.toFixed(2)}`
    : n.health === 'down'
      ? '—'
      : 'not reported';
  return {
    name: n.name,
    health: n.health,
    healthText,
    kernel: n.kernelRelease ?? '—',
    machine: machine || '—',
    attach: n.attach ?? [],
    extras,
    load,
    lastUp: n.lastUp !== undefined ? ago(now - n.lastUp) : 'never',
  };
}

/** The line above the table: how many nodes answer. */
export function nodesHeadline(r: NodesResponse): string {
  if (!r.configured) {
    return 'This web app has one agent of its own: no BPFPLAY_AGENTS_FILE or BPFPLAY_AGENTS_SERVICE is set on its server.';
  }
  if (r.error) return `The node list could not be read: ${r.error}`;
  const up = r.nodes.filter((n) => n.health === 'up').length;
  return `${up} of ${r.nodes.length} node${r.nodes.length === 1 ? '' : 's'} up`;
}
