import { endedWell, type RunOptions, type ServerMessage, type Snippet } from '@bpfplay/protocol';
import { fanOutRun, readAgentsFile, tlsFromFiles, type NodeFrame } from '@bpfplay/nodes';
import { formatMaps, Transcript } from './format.js';

export interface FanOutClientOptions {
  agentsFile: string;
  snippet: Snippet;
  options: RunOptions;
  json: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `bpfplay run FILE... --agents FILE`: the snippet on every agent of the file at once (compiled
 * once, see @bpfplay/nodes fanOutRun). `--json` prints every frame with its `node`; otherwise each
 * node's lines are prefixed `[node]` and the run ends with the nodes' outcomes side by side.
 * Exit code 0 when every node ran, 1 when some did not, 2 when no node was reachable.
 */
export async function runOnNodes(o: FanOutClientOptions): Promise<number> {
  const tls = tlsFromFiles(process.env.BPFPLAY_AGENTS_CA, process.env.BPFPLAY_AGENTS_SERVERNAME);
  const nodes = readAgentsFile(o.agentsFile, tls);
  const transcripts = new Map<string, Transcript>();
  const lastMaps = new Map<string, Extract<ServerMessage, { type: 'maps' }>>();
  const run = fanOutRun({
    nodes,
    runId: `cli-${Date.now().toString(36)}`,
    snippet: o.snippet,
    options: o.options,
    onFrame: (m: NodeFrame) => {
      if (o.json) return o.out(JSON.stringify(m));
      if (m.node === undefined) return; // the final summary, printed below
      if (m.type === 'maps') lastMaps.set(m.node, m);
      if (m.type === 'stopped' && m.target === undefined) {
        const snap = lastMaps.get(m.node);
        if (snap) o.out(prefix(m.node, formatMaps(snap.maps, snap.stacks)));
      }
      let t = transcripts.get(m.node);
      if (!t) transcripts.set(m.node, (t = new Transcript()));
      const line = t.format(m);
      if (line !== undefined) o.out(prefix(m.node, line));
    },
  });
  const onSigint = () => run.stop();
  process.on('SIGINT', onSigint);
  const stopped = await run.done;
  process.off('SIGINT', onSigint);
  const outcomes = stopped.nodes ?? [];
  if (!o.json) {
    const width = Math.max(4, ...outcomes.map((n) => n.node.length));
    o.out(`${'node'.padEnd(width)}  ${'outcome'.padEnd(13)}  events  printk  message`);
    for (const n of outcomes) {
      o.out(
        `${n.node.padEnd(width)}  ${n.reason.padEnd(13)}  ${String(n.stats.events).padStart(6)}  ${String(n.stats.printk).padStart(6)}  ${n.message}`,
      );
    }
  }
  if (outcomes.every((n) => n.reason === 'disconnect')) return 2;
  return outcomes.every((n) => endedWell(n.reason)) ? 0 : 1;
}

function prefix(node: string, text: string): string {
  return text
    .split('\n')
    .map((l) => `[${node}] ${l}`)
    .join('\n');
}
