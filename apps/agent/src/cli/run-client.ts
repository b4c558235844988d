import { WebSocket } from 'ws';
import type { RunOptions, ServerMessage, ServerMessageOf, Snippet, StopReason } from '@bpfplay/protocol';
import { endedWell, parseServerMessage } from '@bpfplay/protocol';
import { formatMaps, Transcript } from './format.js';
import { BinaryEvents } from './binary-events.js';

export interface RunClientOptions {
  agentUrl: string;
  token: string;
  snippet: Snippet;
  options: RunOptions;
  json: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Called once the run is attached and running (used to fire triggers). */
  onRunning?: () => void;
  /** Check this lesson instead of running: the agent answers `verdict` after `stopped`. */
  lesson?: string;
  /** Print only what concerns the verdict (compile errors, refusals, verifier failures), not the run's output. */
  quiet?: boolean;
  /** Every frame of the run, parsed, as it arrives (export takes its `project` frame here). */
  onMessage?: (m: ServerMessage) => void;
}

/** Stop reasons that mean "the run did what was asked", for the exit code. */

export interface RunOutcome {
  exitCode: number;
  reason?: StopReason;
  messages: number;
  verdict?: ServerMessageOf<'verdict'>;
}

/** Frames a quiet check still prints: why a program did not get to run. */
const QUIET_SHOWN = new Set(['compiled', 'refused', 'verifier', 'error', 'warning', 'verdict']);

export function wsUrl(agentUrl: string, token: string): string {
  const u = new URL(agentUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : u.protocol === 'http:' ? 'ws:' : u.protocol;
  if (!u.pathname.endsWith('/ws')) u.pathname = `${u.pathname.replace(/\/$/, '')}/ws`;
  u.searchParams.set('token', token);
  return u.toString();
}

/**
 * Send one snippet to an agent and print everything it answers until the run stops. Every frame is
 * parsed against the protocol (a frame that does not parse is reported, not trusted). Ctrl-C stops
 * the run cleanly instead of abandoning it.
 */
export function runOnAgent(o: RunClientOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const runId = `cli-${Date.now().toString(36)}`;
    const ws = new WebSocket(wsUrl(o.agentUrl, o.token));
    let messages = 0;
    let lastMaps: Map<string, Extract<ServerMessage, { type: 'maps' }>> | undefined;
    let stoppedReason: StopReason | undefined;
    let result: RunOutcome | undefined;
    let triggered = false;
    const finish = (r: RunOutcome) => {
      if (result) return;
      result = r;
      process.off('SIGINT', onSigint);
      ws.close();
      resolve(r);
    };
    const onSigint = () => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'stop', runId }));
      else finish({ exitCode: 130, messages });
    };
    process.on('SIGINT', onSigint);

    const binary = new BinaryEvents();
    const transcript = new Transcript();
    ws.on('message', (data: Buffer, isBinary) => {
      const parsed = isBinary ? binary.events(data) : parseServerMessage(data.toString());
      if (!parsed.ok) {
        o.err(`bpfplay: agent sent a frame that does not match the protocol: ${parsed.message}`);
        return;
      }
      let m: ServerMessage = parsed.message;
      // Binary events (--binary): the layout is for the decoder; print the schema as JSON mode does.
      if (m.type === 'schema' && m.layout) m = binary.schema(m);
      messages++;
      o.onMessage?.(m);
      if (o.json) o.out(JSON.stringify(m));
      else if (o.quiet) {
        const line = QUIET_SHOWN.has(m.type) && !(m.type === 'compiled' && m.ok) ? transcript.format(m) : undefined;
        if (line !== undefined) o.out(line);
      } else {
        if (m.type === 'maps' && m.runId === runId) (lastMaps ??= new Map()).set(m.target ?? '', m);
        if (m.type === 'stopped' && m.runId === runId) {
          // The last snapshot of a target's maps, when that target (or the whole run) ends.
          for (const [target, snap] of lastMaps ?? []) {
            if (m.target !== undefined && m.target !== target) continue;
            o.out(
              target
                ? `[${target}] ${formatMaps(snap.maps, snap.stacks).split('\n').join(`\n[${target}] `)}`
                : formatMaps(snap.maps, snap.stacks),
            );
            lastMaps?.delete(target);
          }
        }
        const line = transcript.format(m);
        if (line !== undefined) o.out(line);
      }
      if (m.type === 'hello') {
        const { eventFormat } = o.options;
        ws.send(
          JSON.stringify(
            o.lesson
              ? {
                  type: 'lesson-check',
                  runId,
                  lesson: o.lesson,
                  snippet: o.snippet,
                  options: { eventFormat },
                }
              : { type: 'run', runId, snippet: o.snippet, options: o.options },
          ),
        );
      } else if (m.type === 'status' && m.state === 'running' && m.runId === runId) {
        // With several targets, the trigger fires once, when the first one runs.
        if (!triggered) o.onRunning?.();
        triggered = true;
      } else if (m.type === 'error' && (m.runId === runId || m.runId === undefined)) {
        if (!o.json) o.err(`bpfplay: ${m.message}`);
        if (m.runId === runId || m.code === 'unauthorized') finish({ exitCode: 2, messages });
      } else if (m.type === 'stopped' && m.runId === runId && m.target === undefined) {
        // A target's own `stopped` (runs on several targets) is not the end of the run.
        stoppedReason = m.reason;
        if (!o.lesson) finish({ exitCode: endedWell(m.reason) ? 0 : 1, reason: m.reason, messages });
      } else if (m.type === 'verdict' && m.runId === runId) {
        finish({
          exitCode: m.passed ? 0 : 1,
          messages,
          verdict: m,
          ...(stoppedReason ? { reason: stoppedReason } : {}),
        });
      }
    });
    ws.on('close', (code, reason) => {
      if (result) return;
      const why = reason.toString() || `connection closed (code ${code})`;
      o.err(`bpfplay: ${why}`);
      finish({ exitCode: 2, messages });
    });
    ws.on('error', (e) => {
      if (result) return;
      o.err(`bpfplay: cannot reach the agent at ${o.agentUrl}: ${e.message}`);
      finish({ exitCode: 2, messages });
    });
  });
}
