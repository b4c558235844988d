import { WebSocketServer, type WebSocket } from 'ws';
import { encodeBinaryEvents, type RecordLayout, type ServerMessage, type ServerPayload } from '@bpfplay/protocol';
import { sampleAgentInfo } from '@bpfplay/protocol/testing';

/** `struct event { u32 pid; u32 nr; u64 ts; char comm[16]; }`, as the agent describes it for binary events. */
const LAYOUT: RecordLayout = {
  typeName: 'struct event',
  size: 32,
  root: {
    k: 'struct',
    off: 0,
    fields: [
      { name: 'pid', node: { k: 'int', off: 0, size: 4, signed: false } },
      { name: 'nr', node: { k: 'int', off: 4, size: 4, signed: false } },
      { name: 'ts', node: { k: 'int', off: 8, size: 8, signed: false } },
      { name: 'comm', node: { k: 'chars', off: 16, n: 16 } },
    ],
  },
};

function recordBytes(v: { pid: number; nr: number; ts: number; comm: string }): Uint8Array {
  const b = new Uint8Array(LAYOUT.size);
  const view = new DataView(b.buffer);
  view.setUint32(0, v.pid, true);
  view.setUint32(4, v.nr, true);
  view.setBigUint64(8, BigInt(v.ts), true);
  b.set(new TextEncoder().encode(v.comm).subarray(0, 15), 16);
  return b;
}

/**
 * A stand-in agent that streams decoded records at a fixed rate, to measure the page alone: the
 * real agent's rate depends on the kernel, the CPU left over and its own decoding. It speaks the
 * same protocol types (every frame is a ServerMessage); nothing here is loaded into a kernel.
 */
export async function startSyntheticAgent(recordsPerSec: number): Promise<{
  url: string;
  close(): Promise<void>;
  sent(): number;
  askedForBinary(): boolean;
}> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  let sent = 0;
  let askedForBinary = false;
  wss.on('connection', (ws: WebSocket) => {
    let seq = 0;
    const send = (m: ServerPayload) => ws.send(JSON.stringify({ ...m, seq: seq++ } as ServerMessage));
    send({
      type: 'hello',
      ...sampleAgentInfo({
        agent: { version: 'synthetic', hostname: 'synthetic' },
        capabilities: { kernelRelease: 'synthetic' },
        limits: { maxEventsPerSec: 1_000_000, maxMapBytes: 1 << 26, maxConcurrentRuns: 1 },
      }),
      session: { id: 'synthetic' },
    });
    let timer: NodeJS.Timeout | null = null;
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as {
        type: string;
        runId: string;
        options?: { eventFormat?: string };
      };
      if (m.type === 'stop') {
        if (timer) clearInterval(timer);
        send({
          type: 'stopped',
          runId: m.runId,
          reason: 'user',
          message: 'stopped',
          durationMs: 0,
          stats: { events: sent, printk: 0, dropped: 0 },
        });
        return;
      }
      if (m.type !== 'run') return;
      const runId = m.runId;
      send({ type: 'status', runId, state: 'running', t: 0 });
      // Binary events when the page asks, as the agent does: the schema then carries the layout.
      const binary = m.options?.eventFormat === 'binary';
      askedForBinary ||= binary;
      send({
        type: 'schema',
        runId,
        source: 'events',
        recordType: 'struct event',
        fields: [
          { name: 'pid', type: 'u32' },
          { name: 'nr', type: 'u32' },
          { name: 'ts', type: 'u64' },
          { name: 'comm', type: 'char[16]' },
        ],
        ...(binary ? { layout: LAYOUT } : {}),
      });
      // 60 frames a second, as the agent batches.
      const perFrame = Math.round(recordsPerSec / 60);
      const t0 = Date.now();
      timer = setInterval(() => {
        const t = Date.now() - t0;
        const values = Array.from({ length: perFrame }, (_, i) => ({
          pid: 1000 + ((sent + i) % 5000),
          nr: (sent + i) % 450,
          ts: String(1_000_000_000 + sent + i),
          comm: i % 3 ? 'dd' : 'bash',
        }));
        sent += perFrame;
        if (binary)
          ws.send(
            encodeBinaryEvents(
              { type: 'events', seq: seq++, runId, source: 'events', dropped: 0, t },
              values.map((v) => recordBytes({ ...v, ts: Number(v.ts) })),
            ),
          );
        else
          send({
            type: 'events',
            runId,
            source: 'events',
            records: values.map((value, i) => ({ t: t + i / perFrame, value })),
            dropped: 0,
          });
      }, 1000 / 60);
    });
    ws.on('close', () => timer && clearInterval(timer));
  });
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    sent: () => sent,
    askedForBinary: () => askedForBinary,
    close: () =>
      new Promise((r) => {
        // close() waits for open connections; the page may still hold one.
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}
