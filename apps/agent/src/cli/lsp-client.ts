import { WebSocket } from 'ws';
import { CLOSE_CODES, type LspRequest, type LspResult, parseServerMessage, type Snippet } from '@bpfplay/protocol';
import { wsUrl } from './run-client.js';

/**
 * `bpfplay complete` / `bpfplay hover`: one editor request against an agent, over the same
 * WebSocket and protocol the web app uses, so the items printed are the ones the editor shows.
 */
export function askAgent(o: {
  agentUrl: string;
  token: string;
  snippet: Snippet;
  request: LspRequest;
  timeoutMs?: number;
}): Promise<LspResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(o.agentUrl, o.token));
    const timer = setTimeout(
      () => done(new Error(`the agent did not answer within ${(o.timeoutMs ?? 60_000) / 1000} s`)),
      o.timeoutMs ?? 60_000,
    );
    const done = (e: Error | undefined, r?: LspResult) => {
      clearTimeout(timer);
      ws.close();
      if (e) reject(e);
      else resolve(r!);
    };
    ws.on('error', (e) => done(new Error(`cannot reach the agent at ${o.agentUrl}: ${e.message}`)));
    ws.on('close', (code, reason) => {
      if (code === CLOSE_CODES.unauthorized || code === CLOSE_CODES.forbiddenOrigin)
        done(new Error(`the agent refused the connection: ${reason.toString()}`));
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      const p = parseServerMessage(data.toString('utf8'));
      if (!p.ok) return done(new Error(`the agent sent a frame that does not parse: ${p.message}`));
      const m = p.message;
      if (m.type === 'hello') {
        ws.send(JSON.stringify({ type: 'lsp-open', snippet: o.snippet }));
        ws.send(JSON.stringify({ type: 'lsp-request', id: 1, request: o.request }));
      } else if (m.type === 'lsp-status' && m.state === 'unavailable') {
        done(new Error(`no code analyser on the agent: ${m.message ?? 'unavailable'}`));
      } else if (m.type === 'error') {
        done(new Error(`the agent refused the request: ${m.message}`));
      } else if (m.type === 'lsp-response' && m.id === 1) {
        if (m.error !== undefined || !m.result) done(new Error(m.error ?? 'empty answer'));
        else done(undefined, m.result);
      }
    });
  });
}

/** What a terminal shows: completion items one per line (label, kind, detail), hover as its Markdown. */
export function formatResult(r: LspResult): string {
  switch (r.method) {
    case 'completion':
      return r.items.map((i) => [i.label, i.kind, i.detail ?? ''].join('\t').trimEnd()).join('\n');
    case 'hover':
      return r.contents || '(nothing to show here)';
    default:
      return JSON.stringify(r);
  }
}
