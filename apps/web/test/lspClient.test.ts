import { describe, expect, it } from 'vitest';
import type { ClientMessage, LspDiagnostic, ServerMessage, Snippet } from '@bpfplay/protocol';
import { CHECK_IDLE_MS, LspClient } from '../src/editor/lsp/client';
import { checkMarkers } from '../src/editor/lsp/markers';
import { toLspPosition, toLspRange, toMonacoRange } from '../src/editor/lsp/convert';

/** A clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout: (fn: () => void, ms: number) => {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h: unknown) => void timers.delete(h as number),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at))
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
    },
  };
}

const snippet: Snippet = { files: [{ name: 'a.bpf.c', content: 'int x;\n' }], main: 'a.bpf.c' };
const frame = <T extends ServerMessage['type']>(m: Omit<Extract<ServerMessage, { type: T }>, 'seq'>) =>
  ({ ...m, seq: 0 }) as unknown as ServerMessage;

function setup() {
  const sent: ClientMessage[] = [];
  const clock = fakeClock();
  const client = new LspClient((m) => (sent.push(m), true), clock);
  const seen: { diagnostics: [string, LspDiagnostic[]][]; checked: boolean[] } = { diagnostics: [], checked: [] };
  client.hooks = {
    diagnostics: (f, d) => seen.diagnostics.push([f, d]),
    checking: () => {},
    checked: (_d, ok) => seen.checked.push(ok),
    status: () => {},
  };
  return { sent, clock, client, seen };
}

describe('the editor’s LSP client', () => {
  it('opens the documents when the socket is ready, and again after a reconnect', () => {
    const { sent, client } = setup();
    client.open(snippet);
    expect(sent).toEqual([]);
    client.setReady(true);
    client.change('a.bpf.c', [
      { range: toLspRange({ startLineNumber: 1, startColumn: 5, endLineNumber: 1, endColumn: 6 }), text: 'y' },
    ]);
    client.setReady(false);
    client.setReady(true);
    expect(sent.map((m) => m.type)).toEqual(['lsp-open', 'lsp-change', 'lsp-open']);
    expect(sent[1]).toMatchObject({ version: 1, changes: [{ range: { start: { line: 0, character: 4 } } }] });
  });

  it('matches answers to requests; a cancelled or unanswered request resolves to nothing', async () => {
    const { sent, clock, client } = setup();
    client.setReady(true);
    client.open(snippet);
    const a = client.request({ method: 'hover', file: 'a.bpf.c', position: { line: 0, character: 4 } });
    let cancel = () => {};
    const b = client.request(
      { method: 'hover', file: 'a.bpf.c', position: { line: 0, character: 0 } },
      { onCancel: (fn) => (cancel = fn) },
    );
    const c = client.request({ method: 'completion', file: 'a.bpf.c', position: { line: 0, character: 0 } });
    const ids = sent.filter((m) => m.type === 'lsp-request').map((m) => (m as { id: number }).id);
    expect(
      client.receive(
        frame<'lsp-response'>({ type: 'lsp-response', id: ids[0]!, result: { method: 'hover', contents: 'int x' } }),
      ),
    ).toBe(true);
    cancel();
    expect(sent.at(-1)).toEqual({ type: 'lsp-cancel', id: ids[1] });
    clock.advance(15_000);
    expect(await a).toEqual({ method: 'hover', contents: 'int x' });
    expect(await b).toBeNull();
    expect(await c).toBeNull();
  });

  it('never shows diagnostics older than those on screen', () => {
    const { client, seen } = setup();
    client.setReady(true);
    client.open(snippet);
    client.change('a.bpf.c', [{ text: 'int y;\n' }]);
    const d = (version: number) =>
      frame<'lsp-diagnostics'>({ type: 'lsp-diagnostics', file: 'a.bpf.c', version, diagnostics: [] });
    client.receive(d(1));
    client.receive(d(0));
    expect(seen.diagnostics.length).toBe(1);
  });

  it('checks the snippet once the editor has been idle, once per change, and hears only the latest answer', () => {
    const { sent, clock, client, seen } = setup();
    client.setReady(true);
    let current: Snippet = snippet;
    client.scheduleCheck(() => current);
    clock.advance(CHECK_IDLE_MS - 1);
    expect(sent.filter((m) => m.type === 'check')).toEqual([]);
    current = { files: [{ name: 'a.bpf.c', content: 'int z;\n' }], main: 'a.bpf.c' };
    client.scheduleCheck(() => current);
    clock.advance(CHECK_IDLE_MS);
    client.scheduleCheck(() => current);
    clock.advance(CHECK_IDLE_MS);
    const checks = sent.filter((m) => m.type === 'check');
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ checkId: 'c1', snippet: current });
    const checked = (checkId: string) =>
      frame<'checked'>({ type: 'checked', checkId, ok: true, diagnostics: [], durationMs: 1, cache: 'pch' });
    client.receive(checked('c0'));
    client.receive(checked('c1'));
    expect(seen.checked).toEqual([true]);
  });

  it('leaves every other frame to the page', () => {
    const { client } = setup();
    expect(client.receive(frame<'pong'>({ type: 'pong' }))).toBe(false);
  });
});

describe('compile-as-you-type markers', () => {
  it('adds what the back end found and clangd could not, once', () => {
    const clangd = new Map([
      [
        'a.bpf.c',
        [
          {
            range: { start: { line: 4, character: 1 }, end: { line: 4, character: 3 } },
            severity: 'error' as const,
            message: "Use of undeclared identifier 'x'",
          },
        ],
      ],
    ]);
    const out = checkMarkers(
      [
        { file: 'a.bpf.c', line: 5, col: 2, severity: 'error', message: "use of undeclared identifier 'x'" },
        { file: 'a.bpf.c', line: 9, col: 3, severity: 'error', message: 'too many args to 0x5555: i64 = Constant<6>' },
        { file: 'a.bpf.c', line: 9, col: 3, severity: 'note', message: 'a note' },
        { file: '<bpfplay>/vmlinux.h', line: 1, col: 1, severity: 'warning', message: 'elsewhere' },
      ],
      ['a.bpf.c'],
      'a.bpf.c',
      clangd,
    );
    expect(out.get('a.bpf.c')).toEqual([
      { line: 9, col: 3, severity: 'error', message: 'too many args to 0x5555: i64 = Constant<6>' },
    ]);
  });
});

describe('positions', () => {
  it('are LSP 0-based on the wire and Monaco 1-based in the editor', () => {
    expect(toLspPosition({ lineNumber: 3, column: 1 })).toEqual({ line: 2, character: 0 });
    const r = { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } };
    expect(toLspRange(toMonacoRange(r))).toEqual(r);
  });
});
