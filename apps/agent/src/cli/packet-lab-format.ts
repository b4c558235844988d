import type { ServerMessageOf } from '@bpfplay/protocol';
import { decodeFlowKeys, decodePacket, diffPackets, parseHexPacket, type PacketLayer } from '@bpfplay/protocol';

/** A layer in one line: `IPv4 ttl=64 protocol=1 ICMP src=10.99.0.2 dst=10.99.0.1`. */
function layerLine(l: PacketLayer): string {
  return `${l.layer} ${l.fields.map((f) => `${f.name.replace(/ /g, '_')}=${f.value}`).join(' ')}`;
}

/** Hex in lines of 16 bytes, changed bytes marked with `*` after them. */
function hexDump(bytes: Uint8Array, changed: Set<number>): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(
      bytes.subarray(i, i + 16),
      (b, j) => `${b.toString(16).padStart(2, '0')}${changed.has(i + j) ? '*' : ' '}`,
    );
    lines.push(`    ${i.toString(16).padStart(4, '0')}  ${row.join('')}`);
  }
  return lines;
}

/** One program's test run as the `bpfplay test-run` transcript shows it. */
export function formatTestRun(m: ServerMessageOf<'test-run'>): string {
  const head = `${m.program} (SEC("${m.section}"))`;
  if (m.error) return `${head}: test run failed: ${m.error}`;
  const input = parseHexPacket(m.dataIn);
  const output = m.dataOut ? parseHexPacket(m.dataOut) : new Uint8Array(0);
  const diff = diffPackets(input, output);
  const per = m.durationNs >= 1000 ? `${(m.durationNs / 1000).toFixed(1)} µs` : `${m.durationNs} ns`;
  const lines = [
    `${head}: ${m.verdict} (retval ${m.retval}), ${m.repeat} run${m.repeat === 1 ? '' : 's'}, ${per} per run`,
    '  packet in:',
    ...decodePacket(input).map((l) => `    ${layerLine(l)}`),
  ];
  if (m.flowKeys !== undefined) {
    // A flow dissector leaves the packet as it was; what it made is the flow keys.
    const keys = decodeFlowKeys(parseHexPacket(m.flowKeys));
    lines.push(`  flow keys: ${keys.map((k) => `${k.name}=${k.value.replace(/ /g, '_')}`).join(' ')}`);
  } else if (diff.fields.length === 0 && diff.bytesChanged.length === 0 && diff.lengthBefore === diff.lengthAfter) {
    lines.push('  packet out: unchanged');
  } else {
    lines.push(
      `  packet out: ${diff.bytesChanged.length} byte${diff.bytesChanged.length === 1 ? '' : 's'} changed${diff.lengthAfter !== diff.lengthBefore ? `, ${diff.lengthBefore} → ${diff.lengthAfter} bytes` : ''}`,
      ...diff.fields.map((f) => `    ${f.layer} ${f.name}: ${f.before} → ${f.after}`),
      ...hexDump(output, new Set(diff.bytesChanged)),
    );
  }
  for (const c of m.mapChanges) {
    const show = (v: unknown) => (v === null ? '(none)' : JSON.stringify(v));
    lines.push(`  map ${c.map}[${JSON.stringify(c.key)}]: ${show(c.before)} → ${show(c.after)}`);
  }
  return lines.join('\n');
}
