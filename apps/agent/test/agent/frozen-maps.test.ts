import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { useSharedAgent } from '../harness/agent-process.js';
import { uniqueName, waitNoPrograms } from '../harness/kernel.js';
import { connect } from '../harness/ws-client.js';
import { head } from './programs.js';

const agent = useSharedAgent();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A knob in .rodata (set before load, frozen after) and, optionally, a counter that changes. */
function program(name: string, counter: boolean): string {
  return `${head}
const volatile int knob = 7;
${counter ? 'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u64); } hits SEC(".maps");' : ''}
SEC("tracepoint/syscalls/sys_enter_getppid")
int ${name}(void *ctx)
{
${counter ? '\tu32 k = 0; u64 *v = bpf_map_lookup_elem(&hits, &k); if (v) __sync_fetch_and_add(v, 1);' : ''}
	return knob;
}
char LICENSE[] SEC("license") = "GPL";
`;
}

async function mapsFrames(name: string, counter: boolean) {
  const c = connect(agent.wsUrl, { token: agent.token });
  c.send({
    type: 'run',
    runId: 'm',
    snippet: { files: [{ name: 'p.bpf.c', content: program(name, counter) }] },
    options: { durationSec: 30, mapIntervalMs: 100 },
  });
  await c.waitFor((m) => m.type === 'status' && m.state === 'running', 60_000);
  for (let i = 0; i < 10; i++) {
    void process.ppid;
    await sleep(100);
  }
  c.send({ type: 'stop', runId: 'm' });
  await c.waitFor((m) => m.type === 'stopped' && m.runId === 'm');
  c.close();
  expect(await waitNoPrograms(name)).toEqual([]);
  return c.messages.filter((m): m is Extract<ServerMessage, { type: 'maps' }> => m.type === 'maps');
}

describe('maps nothing can change after load (.rodata)', () => {
  it('are read and sent once when they are all a run has', async () => {
    const frames = await mapsFrames(uniqueName('t_frozen'), false);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.maps.map((m) => m.name)).toEqual([expect.stringMatching(/\.rodata$/)]);
    expect(JSON.stringify(frames[0]!.maps[0]!.entries)).toContain('"knob":7');
  });

  it('stay in every frame beside maps that change', async () => {
    const frames = await mapsFrames(uniqueName('t_frozenc'), true);
    expect(frames.length).toBeGreaterThan(3);
    for (const f of frames) {
      expect(f.maps.map((m) => m.name).sort()).toEqual(['hits', 'p.rodata']);
      expect(JSON.stringify(f.maps.find((m) => m.name.endsWith('.rodata'))!.entries)).toContain('"knob":7');
    }
    const hits = (f: (typeof frames)[number]) => Number(f.maps.find((m) => m.name === 'hits')!.entries[0]!.value);
    expect(hits(frames[frames.length - 1]!)).toBeGreaterThanOrEqual(10);
  });
});
