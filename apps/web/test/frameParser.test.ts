import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '@bpfplay/protocol';
import { WorkerParser, type FrameResult, type WorkerLike } from '../src/state/frameParser';

/** A worker that answers when told to, so tests decide the timing. */
class FakeWorker implements WorkerLike {
  posted: string[] = [];
  terminated = false;
  onmessage: WorkerLike['onmessage'] = null;
  onerror: WorkerLike['onerror'] = null;
  postMessage(d: string) {
    this.posted.push(d);
  }
  terminate() {
    this.terminated = true;
  }
  answerAll() {
    for (const raw of this.posted.splice(0)) {
      const r = parseServerMessage(raw);
      this.onmessage?.({ data: r.ok ? { ok: true } : r });
    }
  }
}

const pong = (seq: number) => JSON.stringify({ type: 'pong', seq });
const seqOf = (r: FrameResult) => (r.ok ? r.message.seq : -1);

describe('parsing frames in a worker', () => {
  it('delivers results in the order frames arrived', () => {
    const w = new FakeWorker();
    const p = new WorkerParser(w, () => {});
    const got: number[] = [];
    for (const s of [0, 1, 2]) p.parse(pong(s), (r) => got.push(seqOf(r)));
    expect(p.backlog).toBe(3);
    w.answerAll();
    expect(got).toEqual([0, 1, 2]);
    expect(p.backlog).toBe(0);
  });

  it('when the worker fails, parses what was queued and everything after on the page, and says so', () => {
    const w = new FakeWorker();
    const why: string[] = [];
    const p = new WorkerParser(w, (s) => why.push(s));
    const got: number[] = [];
    p.parse(pong(0), (r) => got.push(seqOf(r)));
    p.parse(pong(1), (r) => got.push(seqOf(r)));
    w.onerror?.({ message: 'Failed to load worker script' });
    expect(got).toEqual([0, 1]);
    expect(w.terminated).toBe(true);
    expect(why).toEqual(['the parsing worker failed (Failed to load worker script); parsing on the page instead']);
    p.parse(pong(2), (r) => got.push(seqOf(r)));
    expect(got).toEqual([0, 1, 2]);
    expect(w.posted).toHaveLength(2);
  });

  it('reports frames that do not parse, like the inline parser', () => {
    const w = new FakeWorker();
    const p = new WorkerParser(w, () => {});
    let r: FrameResult | null = null;
    p.parse('{"type":"pong"}', (x) => (r = x));
    w.answerAll();
    expect(r).toMatchObject({ ok: false, code: 'bad-message' });
  });
});
