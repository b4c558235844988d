import WebSocket from 'ws';
import type { NodeOutcome, RunOptions, ServerMessage, Snippet, StopReason } from '@bpfplay/protocol';
import { endedWell, parseServerMessage } from '@bpfplay/protocol';
import type { AgentEndpoint } from './endpoint';

/** A frame of the merged stream: the agent's own frame with the node it came from. */
export type NodeFrame = ServerMessage & { node?: string };

export interface FanOutRequest {
  nodes: AgentEndpoint[];
  runId: string;
  snippet: Snippet;
  options: RunOptions;
  /** Every frame of the merged stream, labelled, in arrival order; the last is the run's own `stopped` (no node). */
  onFrame(m: NodeFrame): void;
  /** How long a node may take to answer the WebSocket handshake. */
  connectTimeoutMs?: number;
  /**
   * The person the run is for, when a relay runs it (the web app: `<room>/<learner>`): sent as
   * X-Bpfplay-Client so each agent's per-client quotas apply to that person, not to the relay.
   */
  clientId?: string;
}

export interface FanOutRun {
  /** Resolves with the final `stopped` (every node's outcome in `nodes`). */
  done: Promise<Extract<ServerMessage, { type: 'stopped' }>>;
  /** Stop the run on every node (Ctrl-C, the user's Stop). */
  stop(): void;
}

/** Outcomes that mean the node did what was asked. */

type Phase = 'connecting' | 'waiting' | 'compiling' | 'running' | 'ended';

interface Node {
  ep: AgentEndpoint;
  ws: WebSocket;
  phase: Phase;
  /** The agent runs shipped objects (hello.capabilities.prebuiltObjects). */
  acceptsObjects: boolean;
  outcome?: NodeOutcome;
}

/**
 * One snippet on many nodes. The first node to say hello compiles (RunOptions.returnObject) and
 * runs; its object goes to every other node (RunMessage.object), which relocates it for its own
 * kernel (CO-RE) and runs it: clang runs once for the fleet. A node that takes no shipped objects
 * compiles the snippet itself (said in a warning). Every frame is passed on labelled with its node;
 * a node that fails — refused, crashed, unreachable, lost mid-run — ends alone with its reason
 * and the others go on. The run ends when every node has ended, with one `stopped` listing all.
 */
export function fanOutRun(req: FanOutRequest): FanOutRun {
  const t0 = performance.now();
  let seq = 0;
  let object: string | undefined;
  let compileFailed: string | undefined;
  let compiler: Node | undefined;
  let stopping = false;
  let resolveDone!: (m: Extract<ServerMessage, { type: 'stopped' }>) => void;
  const done = new Promise<Extract<ServerMessage, { type: 'stopped' }>>((r) => (resolveDone = r));
  const emit = (m: NodeFrame) => req.onFrame({ ...m, seq: seq++ } as NodeFrame);
  const { runId } = req;
  // Binary events are decoded against one connection's schema frames; a merged stream stays JSON.
  const options: RunOptions = { ...req.options, eventFormat: 'json' };

  const send = (n: Node, m: object) => {
    if (n.ws.readyState === WebSocket.OPEN) n.ws.send(JSON.stringify(m));
  };

  const startCompile = (n: Node) => {
    compiler = n;
    n.phase = 'compiling';
    send(n, { type: 'run', runId, snippet: req.snippet, options: { ...options, returnObject: true } });
  };

  const startShipped = (n: Node) => {
    n.phase = 'running';
    if (n.acceptsObjects) {
      send(n, { type: 'run', runId, snippet: req.snippet, options, object });
    } else {
      emit({
        type: 'warning',
        runId,
        node: n.ep.name,
        message: `${n.ep.name} takes no shipped objects (start it with --accept-objects): it compiles the snippet itself`,
      } as NodeFrame);
      send(n, { type: 'run', runId, snippet: req.snippet, options });
    }
  };

  /** A node is ready to run: compile there, wait for the object, or run the object. */
  const ready = (n: Node) => {
    if (stopping) return end(n, 'user', 'stopped before it started');
    if (compileFailed) return end(n, 'compile-error', compileFailed);
    if (object !== undefined) return startShipped(n);
    if (!compiler || compiler.phase === 'ended') return startCompile(n);
    n.phase = 'waiting';
  };

  const end = (n: Node, reason: StopReason, message: string, stats = { events: 0, printk: 0, dropped: 0 }) => {
    if (n.phase === 'ended') return;
    const wasCompiler = n === compiler && object === undefined && !compileFailed;
    n.phase = 'ended';
    n.outcome = { node: n.ep.name, reason, message, stats };
    if (n.ws.readyState === WebSocket.OPEN || n.ws.readyState === WebSocket.CONNECTING) n.ws.close();
    // The compiling node went away before its object: the next node that is ready compiles instead.
    if (wasCompiler) {
      const next = nodes.find((x) => x.phase === 'waiting');
      if (next) startCompile(next);
    }
    if (nodes.every((x) => x.phase === 'ended')) finish();
  };

  /** A node ended without its own `stopped` (unreachable, lost): the stream says so for that node. */
  const lost = (n: Node, reason: StopReason, message: string) => {
    if (n.phase === 'ended') return;
    emit({
      type: 'stopped',
      runId,
      node: n.ep.name,
      reason,
      message,
      durationMs: Math.round(performance.now() - t0),
      stats: { events: 0, printk: 0, dropped: 0 },
    } as NodeFrame);
    end(n, reason, message);
  };

  const finish = () => {
    const outcomes = nodes.map((n) => n.outcome!);
    const ok = outcomes.filter((o) => endedWell(o.reason));
    const reasons = new Set(outcomes.map((o) => o.reason));
    const stopped = {
      type: 'stopped' as const,
      seq: 0,
      runId,
      reason: reasons.size === 1 ? outcomes[0]!.reason : ok.length === outcomes.length ? 'finished' : 'error',
      message: `${ok.length} of ${outcomes.length} nodes ran: ${outcomes.map((o) => `${o.node} ${o.reason}`).join(', ')}`,
      durationMs: Math.round(performance.now() - t0),
      stats: {
        events: outcomes.reduce((s, o) => s + o.stats.events, 0),
        printk: outcomes.reduce((s, o) => s + o.stats.printk, 0),
        dropped: outcomes.reduce((s, o) => s + o.stats.dropped, 0),
      },
      nodes: outcomes,
    };
    emit(stopped);
    resolveDone({ ...stopped, seq: seq - 1 });
  };

  const onMessage = (n: Node, data: Buffer, isBinary: boolean) => {
    if (isBinary || n.phase === 'ended') return; // eventFormat is json: no binary frames are asked for
    const parsed = parseServerMessage(data.toString());
    if (!parsed.ok) {
      emit({
        type: 'warning',
        runId,
        node: n.ep.name,
        message: `a frame that does not match the protocol: ${parsed.message}`,
      } as NodeFrame);
      return;
    }
    const m = parsed.message;
    if (m.type === 'hello') {
      n.acceptsObjects = m.capabilities.prebuiltObjects === true;
      emit({ ...m, node: n.ep.name });
      return ready(n);
    }
    if ('runId' in m && m.runId !== runId && m.type !== 'error') return;
    if (m.type === 'compiled' && n === compiler) {
      const { object: shipped, ...rest } = m;
      emit({ ...rest, node: n.ep.name });
      if (m.ok && shipped) {
        object = shipped;
        n.phase = 'running';
        for (const w of nodes.filter((x) => x.phase === 'waiting')) startShipped(w);
      } else if (!m.ok) {
        compileFailed = `compile failed on ${n.ep.name}`;
        for (const w of nodes.filter((x) => x.phase === 'waiting')) end(w, 'compile-error', compileFailed);
      }
      return;
    }
    emit({ ...m, node: n.ep.name });
    if (m.type === 'stopped' && m.target === undefined) end(n, m.reason, m.message, m.stats);
    else if (m.type === 'error' && (m.runId === runId || m.code === 'unauthorized'))
      lost(n, 'error', `${n.ep.name}: ${m.message}`);
  };

  const nodes: Node[] = req.nodes.map((ep) => {
    const ws = new WebSocket(ep.url, {
      // The token in a header, not the URL: URLs end up in logs.
      headers: {
        authorization: `Bearer ${ep.token}`,
        ...(req.clientId ? { 'x-bpfplay-client': req.clientId } : {}),
      },
      handshakeTimeout: req.connectTimeoutMs ?? 10_000,
      maxPayload: 64 << 20,
      ...(ep.tls?.ca ? { ca: ep.tls.ca } : {}),
      ...(ep.tls?.servername ? { servername: ep.tls.servername } : {}),
    });
    const n: Node = { ep, ws, phase: 'connecting', acceptsObjects: false };
    ws.on('message', (data: Buffer, isBinary) => onMessage(n, data, isBinary));
    ws.on('close', (code, reason) =>
      lost(
        n,
        'disconnect',
        `lost ${ep.name} (${reason.toString() || `connection closed, code ${code}`}); the other nodes go on`,
      ),
    );
    ws.on('error', (e) => lost(n, 'disconnect', `cannot reach ${ep.name} at ${ep.url}: ${e.message}`));
    return n;
  });
  if (nodes.length === 0) throw new Error('a fan-out run needs at least one node');

  return {
    done,
    stop: () => {
      stopping = true;
      for (const n of nodes) {
        if (n.phase === 'compiling' || n.phase === 'running') send(n, { type: 'stop', runId });
        else if (n.phase !== 'ended') end(n, 'user', 'stopped before it started');
      }
    },
  };
}
