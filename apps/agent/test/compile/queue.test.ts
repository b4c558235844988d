import { describe, expect, it } from 'vitest';
import { CompileQueue } from '../../src/compile/queue.js';

/** A task that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('the compile queue', () => {
  it('runs at most `concurrency` tasks at once, the rest in arrival order', async () => {
    const q = new CompileQueue(2, 10);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      q.run(async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([q.running, q.queued]).toEqual([2, 2]);
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([q.running, q.queued]).toEqual([0, 0]);
  });

  it('tells a waiting compile its position as it moves up, and 0 when it starts', async () => {
    const q = new CompileQueue(1, 10);
    const g = [gate(), gate(), gate()];
    const heard: Record<string, number[]> = { b: [], c: [] };
    const a = q.run(() => g[0]!.opened);
    const b = q.run(() => g[1]!.opened, { onQueued: (p) => heard.b!.push(p) });
    const c = q.run(() => g[2]!.opened, { onQueued: (p) => heard.c!.push(p) });
    await tick();
    expect(heard).toEqual({ b: [1], c: [2] });
    g[0]!.open();
    await a;
    await tick();
    expect(heard).toEqual({ b: [1, 0], c: [2, 1] });
    g[1]!.open();
    g[2]!.open();
    await Promise.all([b, c]);
    expect(heard.c).toEqual([2, 1, 0]);
  });

  it('a cancelled waiter leaves the queue without running, and those behind it move up', async () => {
    const q = new CompileQueue(1, 10);
    const g = gate();
    const ac = new AbortController();
    let ran = false;
    const heardC: number[] = [];
    const a = q.run(() => g.opened);
    const b = q.run(
      async () => {
        ran = true;
      },
      { signal: ac.signal },
    );
    const c = q.run(async () => 'c', { onQueued: (p) => heardC.push(p) });
    ac.abort();
    await expect(b).rejects.toMatchObject({ name: 'AbortError' });
    expect(q.queued).toBe(1);
    expect(heardC).toEqual([2, 1]);
    g.open();
    await a;
    expect(await c).toBe('c');
    expect(ran).toBe(false);
  });

  it('a task that fails frees its slot', async () => {
    const q = new CompileQueue(1, 10);
    await expect(q.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await q.run(async () => 'next')).toBe('next');
  });

  it('refuses new work with a clear message when too many are waiting', async () => {
    const q = new CompileQueue(1, 1);
    const g = gate();
    const a = q.run(() => g.opened);
    const b = q.run(async () => 'b');
    await expect(q.run(async () => 'c')).rejects.toThrow(
      'compile queue is full (1 waiting); try again in a few seconds',
    );
    g.open();
    await a;
    expect(await b).toBe('b');
  });

  it('background tasks wait behind every compile, even ones that arrive later', async () => {
    const q = new CompileQueue(1, 10);
    const first = gate();
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(name);
    };
    const heard: number[] = [];
    const runs = [
      q.run(() => first.opened),
      q.run(job('disasm 1'), { background: true, onQueued: (p) => heard.push(p) }),
      q.run(job('compile 1')),
      q.run(job('disasm 2'), { background: true }),
      q.run(job('compile 2')),
    ];
    await tick();
    // The compiles that arrived after it pushed the first disassembly back: it hears that.
    expect(heard).toEqual([1, 2, 3]);
    first.open();
    await Promise.all(runs);
    expect(order).toEqual(['compile 1', 'compile 2', 'disasm 1', 'disasm 2']);
  });

  it('background tasks have their own places: a queue full of them still takes a compile', async () => {
    const q = new CompileQueue(1, 2);
    const first = gate();
    const runs = [
      q.run(() => first.opened),
      q.run(async () => {}, { background: true }),
      q.run(async () => {}, { background: true }),
    ];
    await tick();
    await expect(q.run(async () => {}, { background: true })).rejects.toThrow(/queue is full/);
    const compile = q.run(async () => 'compiled');
    first.open();
    expect(await compile).toBe('compiled');
    await Promise.all(runs);
  });
});
