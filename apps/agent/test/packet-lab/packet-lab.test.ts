import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildPacket,
  decodeFlowKeys,
  ExampleMeta,
  parseHexPacket,
  packetHex,
  type PacketFields,
  type PacketPreset,
  type PacketSpec,
  type ServerMessage,
} from '@bpfplay/protocol';
import { REPO, useSharedAgent } from '../harness/agent-process.js';
import { cliOutput, ofType, serverMessages } from '../harness/cli.js';
import { waitNoPrograms } from '../harness/kernel.js';

/**
 * The packet lab on the gallery's networking examples: each `packetLab` check of a meta.json runs
 * through `bpfplay test-run --json` on the real kernel (BPF_PROG_TEST_RUN), and the verdict, the
 * output bytes and the map changes must be what the check says. A test run attaches nothing and makes
 * no interface: the machine's links, tc/XDP attachments and BPF links are the same before and after.
 */
const agent = useSharedAgent();

const examples = readdirSync(join(REPO, 'bpf'))
  .filter((d) => d !== 'lessons' && existsSync(join(REPO, 'bpf', d, 'meta.json')))
  .map((name) => {
    const dir = join(REPO, 'bpf', name);
    const meta = ExampleMeta.parse(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')));
    const files = readdirSync(dir)
      .filter((f) => /\.(c|h)$/.test(f))
      .sort((a, b) => Number(b.endsWith('.bpf.c')) - Number(a.endsWith('.bpf.c')))
      .map((f) => join(dir, f));
    return { name, meta, files };
  })
  .filter((e) => e.meta.packetLab?.length);

async function testRun(files: string[], spec: PacketSpec): Promise<ServerMessage[]> {
  const fields = Object.entries(spec.fields ?? {}).flatMap(([k, v]) => ['--field', `${k}=${v}`]);
  const r = await cliOutput(
    ['test-run', ...files, '--packet', spec.packet, ...fields, '--json', '--agent', agent.url],
    agent.token,
  );
  if (r.code !== 0) throw new Error(`test-run exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return serverMessages(r.stdout);
}

/**
 * What a test run could leave behind, named after the programs: BPF links, XDP/tc attachments (which
 * would keep the program loaded after its run), and the sandbox veth a Run of these examples makes.
 * Other tests on this machine add and remove their own links meanwhile, so only ours are looked for.
 */
async function leftovers(programs: string[]): Promise<string[]> {
  const out: string[] = [];
  const net = execFileSync('bpftool', ['net', 'list', '-j']).toString();
  const links = execFileSync('bpftool', ['link', 'list', '-j']).toString();
  for (const p of programs) {
    const short = p.slice(0, 15);
    if (net.includes(`"${short}`)) out.push(`bpftool net lists ${p}`);
    if (links.includes(`"${short}`)) out.push(`bpftool link lists ${p}`);
    const alive = await waitNoPrograms(p);
    if (alive.length) out.push(`${p} is still loaded (ids ${alive.map((x) => x.id)})`);
  }
  const ifaces = execFileSync('ip', ['-o', 'link', 'show']).toString();
  if (/^\d+: play[01][@:]/m.test(ifaces)) out.push('a sandbox veth (play0/play1) is in the host namespace');
  return out;
}

describe('packet lab: bpfplay test-run on the networking examples', () => {
  it('the gallery has an XDP rewriter, a tc counter, a socket filter and a flow dissector with packet-lab checks', () => {
    const kinds = new Set(examples.flatMap((e) => e.meta.kinds));
    for (const k of ['xdp', 'tc', 'socket', 'flow_dissector'])
      expect(kinds, `examples with checks: ${examples.map((e) => e.name)}`).toContain(k);
  });

  // One test per example, its checks side by side (each a CLI process and a run): CI time, not rigour.
  for (const ex of examples) {
    const checks = ex.meta.packetLab!;
    it(`${ex.name}: ${checks.map((c) => `${c.packet}${c.fields ? ` ${JSON.stringify(c.fields)}` : ''} → ${c.verdict}`).join('; ')}`, async () => {
      const results = await Promise.all(checks.map((check) => testRun(ex.files, check)));
      for (const [i, check] of checks.entries()) {
        const messages = results[i]!;
        const runs = ofType(messages, 'test-run').filter((m) => !check.program || m.program === check.program);
        expect(runs.length, JSON.stringify(messages)).toBeGreaterThan(0);
        const input = packetHex(
          buildPacket(check.packet as PacketPreset, (check.fields ?? {}) as Partial<PacketFields>),
        );
        for (const r of runs) {
          expect(r.error).toBeUndefined();
          expect(r.dataIn).toBe(input);
          expect(r.verdict, `${check.packet}`).toBe(check.verdict);
          if (check.out === 'same') expect(r.dataOut).toBe(input);
          else if (check.out) {
            const want = buildPacket(
              check.out.packet as PacketPreset,
              (check.out.fields ?? {}) as Partial<PacketFields>,
            );
            expect(r.dataOut).toBe(packetHex(want));
          }
          if (check.flowKeys) {
            // The kernel's struct bpf_flow_keys as the program filled it, member by member.
            expect(r.kind).toBe('flow_dissector');
            const keys = Object.fromEntries(
              decodeFlowKeys(parseHexPacket(r.flowKeys ?? '')).map((f) => [f.name, f.value]),
            );
            for (const [name, want] of Object.entries(check.flowKeys))
              expect(keys[name], `flow key ${name} of ${JSON.stringify(keys)}`).toBe(String(want));
          }
          if (check.map) {
            const changed = r.mapChanges.filter((c) => c.map === check.map!.name);
            expect(changed.length, JSON.stringify(r.mapChanges)).toBeGreaterThanOrEqual(check.map.minEntries);
          }
        }
        expect(ofType(messages, 'attached')).toEqual([]);
        expect(ofType(messages, 'stopped').at(-1)?.reason).toBe('finished');
        expect(await leftovers(runs.map((r) => r.program))).toEqual([]);
      }
    });
  }
});
