import { endedWell, type NodeOutcome, type ServerMessage } from '@bpfplay/protocol';

/** Records kept on the page: the newest ones; the counts per node stay exact. */
export const NODE_RUN_RECORDS = 500;

/** One node's side of a run on several nodes. */
export interface NodeRunColumn {
  node: string;
  /** The node's last status ('connecting' before its hello; the stop reason once it ended). */
  state: string;
  kernel?: string;
  printk: number;
  events: number;
  warnings: string[];
  /** Why it failed: a compile error, a refusal, the verifier, a lost connection. */
  error?: string;
  outcome?: NodeOutcome;
}

export interface NodeRunRecord {
  node: string;
  /** Milliseconds since that node attached. */
  t: number;
  kind: 'printk' | 'event';
  text: string;
}

export interface NodeRunView {
  runId: string;
  nodes: Record<string, NodeRunColumn>;
  records: NodeRunRecord[];
  /** Set by the run's own last `stopped` (no node): "2 of 3 nodes ran: ...". */
  summary?: string;
  /** A refusal of the whole run (no node up, a bad message). */
  error?: string;
  done: boolean;
}

export function newNodeRun(runId: string): NodeRunView {
  return { runId, nodes: {}, records: [], done: false };
}

function column(v: NodeRunView, node: string): NodeRunColumn {
  return v.nodes[node] ?? { node, state: 'connecting', printk: 0, events: 0, warnings: [] };
}

/** The view after one frame of the merged stream (server/nodeRuns.ts); frames of other runs change nothing. */
export function applyNodeFrame(v: NodeRunView, m: ServerMessage): NodeRunView {
  if ('runId' in m && m.runId !== undefined && m.runId !== v.runId) return v;
  if (m.node === undefined) {
    if (m.type === 'stopped') return { ...v, summary: m.message, done: true };
    if (m.type === 'error') return { ...v, error: m.message, done: true };
    return v;
  }
  const c = { ...column(v, m.node) };
  const records: NodeRunRecord[] = [];
  switch (m.type) {
    case 'hello':
      c.state = 'connected';
      c.kernel = m.capabilities.kernelRelease;
      break;
    case 'status':
      if (m.target === undefined || m.target === 'host') c.state = m.state;
      break;
    case 'compiled':
      c.state = m.ok ? 'compiled' : 'compile failed';
      if (!m.ok) c.error = m.diagnostics.map((d) => d.message).join('; ') || m.output.slice(0, 300);
      break;
    case 'refused':
      c.error = m.violations.map((x) => x.message).join('; ');
      break;
    case 'warning':
      c.warnings = [...c.warnings, m.message];
      break;
    case 'error':
      c.error = m.message;
      break;
    case 'printk':
      c.printk += m.lines.length;
      for (const l of m.lines) records.push({ node: m.node, t: l.t, kind: 'printk', text: l.text });
      break;
    case 'events':
      c.events += m.records.length;
      for (const r of m.records) records.push({ node: m.node, t: r.t, kind: 'event', text: JSON.stringify(r.value) });
      break;
    case 'stopped':
      if (m.target !== undefined) break;
      c.state = m.reason;
      if (!endedWell(m.reason)) c.error ??= m.message;
      c.outcome = { node: m.node, reason: m.reason, message: m.message, stats: m.stats };
      break;
    default:
      return v;
  }
  const all = records.length ? [...v.records, ...records].slice(-NODE_RUN_RECORDS) : v.records;
  return { ...v, nodes: { ...v.nodes, [m.node]: c }, records: all };
}
