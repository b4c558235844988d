import type { BpfObject, BpfProgram } from '@bpfplay/libbpf';
import { LibbpfError, progTestRun } from '@bpfplay/libbpf';
import type { MapChange, MapSnapshot, TestPacket, Value } from '@bpfplay/protocol';
import { packetHex, parseHexPacket, verdictName } from '@bpfplay/protocol/decoding';
import { attachKindOf } from '../attach/kinds.js';
import type { Emit } from '../stream/outbox.js';
import { snapshotMaps, type MapDecoder } from '../stream/maps.js';

/**
 * The packet lab: each packet program of a loaded object is run on the client's packet with
 * BPF_PROG_TEST_RUN. Nothing is attached and no interface is made: the kernel runs the program on a
 * buffer of its own, which is why a learner may run XDP and tc programs here without a network.
 * Map changes are the difference between a snapshot before and after each program's runs.
 */
export function packetKind(prog: BpfProgram): string | undefined {
  if (prog.typeName === 'flow_dissector') return 'flow_dissector';
  const kind = attachKindOf(prog.section);
  return kind === 'xdp' || kind === 'tc' || kind === 'socket' ? kind : undefined;
}

const keyOf = (v: Value) => JSON.stringify(v);
const ETH_HLEN = 14;

/** What changed in the maps between two snapshots, entry by entry (maps whose entries were cut off compare what both show). */
export function mapChanges(before: MapSnapshot[], after: MapSnapshot[]): MapChange[] {
  const out: MapChange[] = [];
  for (const a of after) {
    if (a.render === 'globals' && a.name.endsWith('.rodata')) continue;
    const b = before.find((m) => m.name === a.name);
    const old = new Map((b?.entries ?? []).map((e) => [keyOf(e.key), e.value]));
    const seen = new Set<string>();
    for (const e of a.entries) {
      const k = keyOf(e.key);
      seen.add(k);
      const prev = old.get(k);
      if (prev === undefined) out.push({ map: a.name, key: e.key, before: null, after: e.value });
      else if (keyOf(prev) !== keyOf(e.value)) out.push({ map: a.name, key: e.key, before: prev, after: e.value });
    }
    for (const [k, v] of old)
      if (!seen.has(k)) out.push({ map: a.name, key: JSON.parse(k) as Value, before: v, after: null });
  }
  return out;
}

export function runPacketLab(
  obj: BpfObject,
  packet: TestPacket,
  maps: MapDecoder,
  maxMapEntries: number,
  emit: Emit,
): number {
  const bytes = parseHexPacket(packet.hex);
  const repeat = packet.repeat ?? 1;
  let ran = 0;
  for (const prog of obj.programs()) {
    if (!prog.autoload) continue;
    const kind = packetKind(prog);
    if (!kind) {
      emit('warning', {
        program: prog.name,
        message: `${prog.name} (SEC("${prog.section}")) is not a packet program: loaded, not run by the packet lab`,
      });
      continue;
    }
    const before = snapshotMaps(obj, maps, maxMapEntries);
    const base = { program: prog.name, section: prog.section, kind, repeat, dataIn: packetHex(bytes) };
    try {
      const r = progTestRun(prog.fd, bytes, repeat);
      // A socket filter's skb starts at the network header: the kernel copies the packet back with
      // the link-layer header's room zeroed. Socket filters cannot write to packets, so those 14
      // bytes are the input's; shown as zeros they would read as a rewrite the program never made.
      const out = kind === 'socket' && r.dataOut.length >= ETH_HLEN ? Uint8Array.from(r.dataOut) : r.dataOut;
      if (out !== r.dataOut) out.set(bytes.subarray(0, ETH_HLEN), 0);
      const after = snapshotMaps(obj, maps, maxMapEntries);
      // A flow dissector's data_out is the struct bpf_flow_keys it filled, not a packet: it has
      // read-only access to the packet, so the packet that comes out is the one that went in.
      const dissector = kind === 'flow_dissector';
      emit('test-run', {
        ...base,
        retval: r.retval | 0,
        verdict: verdictName(kind, r.retval),
        durationNs: r.durationNs,
        dataOut: dissector ? base.dataIn : packetHex(out),
        ...(dissector ? { flowKeys: packetHex(r.dataOut) } : {}),
        mapChanges: mapChanges(before, after),
      });
      ran++;
    } catch (e) {
      const why =
        e instanceof LibbpfError
          ? `${e.message}${kind === 'socket' || kind === 'flow_dissector' ? ` (this kernel may not test-run ${kind} programs)` : ''}${kind === 'flow_dissector' && bytes.length < ETH_HLEN ? `; a flow dissector is given a packet from its Ethernet header, at least ${ETH_HLEN} bytes` : ''}`
          : String(e);
      emit('test-run', {
        ...base,
        retval: 0,
        verdict: 'error',
        durationNs: 0,
        dataOut: '',
        mapChanges: [],
        error: why,
      });
    }
  }
  return ran;
}
