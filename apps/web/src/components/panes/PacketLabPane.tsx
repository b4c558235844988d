'use client';

import { useMemo, useState } from 'react';
import {
  buildPacket,
  decodeFlowKeys,
  decodePacket,
  diffPackets,
  PACKET_DEFAULTS,
  PACKET_FIELD_NAMES,
  PACKET_LAB_LIMITS,
  PACKET_PRESETS,
  packetHex,
  parseHexPacket,
  type PacketFields,
  type PacketPreset,
  type TestRunMessage,
} from '@bpfplay/protocol';
import type { SideRun } from '../../state/sideRuns';

/** The builder's choice: a preset with edited fields, or raw hex. */
type Source = { kind: 'preset'; preset: PacketPreset; fields: Partial<PacketFields> } | { kind: 'hex'; text: string };

export interface PacketLabPaneProps {
  run: SideRun | undefined;
  canRun: boolean;
  onRun(hex: string, repeat: number): void;
  /** The current example's first packet-lab check, to start from. */
  initial?: { packet: string; fields?: Record<string, string | number> } | undefined;
}

function initialSource(i: PacketLabPaneProps['initial']): Source {
  if (i?.packet.startsWith('hex:')) return { kind: 'hex', text: i.packet.slice(4) };
  const preset = (PACKET_PRESETS as readonly string[]).includes(i?.packet ?? '') ? (i!.packet as PacketPreset) : 'icmp';
  return { kind: 'preset', preset, fields: (i?.fields ?? {}) as Partial<PacketFields> };
}

/**
 * The packet lab: build a packet, run the snippet's XDP, tc, socket filter and flow dissector programs
 * on it with BPF_PROG_TEST_RUN (nothing attached, no interface), and see the verdict, the time per run,
 * the packet that came out diffed against the one that went in (a flow dissector: the flow keys it
 * filled in), and the map entries that changed.
 */
export function PacketLabPane(p: PacketLabPaneProps) {
  const [source, setSource] = useState<Source>(() => initialSource(p.initial));
  const [repeat, setRepeat] = useState(1);
  const built = useMemo(() => {
    try {
      const bytes = source.kind === 'hex' ? parseHexPacket(source.text) : buildPacket(source.preset, source.fields);
      if (bytes.length > PACKET_LAB_LIMITS.maxPacketBytes)
        return { error: `at most ${PACKET_LAB_LIMITS.maxPacketBytes} bytes` };
      return { bytes };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [source]);
  const busy = p.run !== undefined && p.run.state !== 'done';
  return (
    <div className="packet-lab" data-testid="packet-lab">
      <form
        className="packet-form"
        onSubmit={(e) => {
          e.preventDefault();
          if ('bytes' in built && built.bytes) p.onRun(packetHex(built.bytes), repeat);
        }}
      >
        <label>
          Packet{' '}
          <select
            value={source.kind === 'hex' ? 'hex' : source.preset}
            onChange={(e) =>
              setSource(
                e.target.value === 'hex'
                  ? { kind: 'hex', text: 'bytes' in built && built.bytes ? packetHex(built.bytes) : '' }
                  : { kind: 'preset', preset: e.target.value as PacketPreset, fields: {} },
              )
            }
            data-testid="packet-preset"
          >
            <option value="icmp">ICMP echo</option>
            <option value="udp">UDP / DNS query</option>
            <option value="tcp-syn">TCP SYN</option>
            <option value="arp">ARP request</option>
            <option value="hex">raw hex</option>
          </select>
        </label>
        <label>
          Repeat{' '}
          <input
            type="number"
            min={1}
            max={PACKET_LAB_LIMITS.maxRepeat}
            value={repeat}
            onChange={(e) => setRepeat(Math.max(1, Math.min(PACKET_LAB_LIMITS.maxRepeat, Number(e.target.value) || 1)))}
            data-testid="packet-repeat"
            className="packet-repeat"
          />
        </label>
        <button
          className="btn btn-primary"
          type="submit"
          disabled={!p.canRun || busy || !('bytes' in built)}
          data-testid="packet-run"
        >
          {busy ? 'Running…' : 'Run on packet'}
        </button>
        {source.kind === 'preset' ? (
          <div className="packet-fields">
            {PACKET_FIELD_NAMES.map((name) => (
              <label key={name} className="packet-field">
                <span>{name}</span>
                <input
                  className="mono"
                  value={String(source.fields[name] ?? PACKET_DEFAULTS[source.preset][name])}
                  onChange={(e) => {
                    const v = typeof PACKET_DEFAULTS.icmp[name] === 'number' ? Number(e.target.value) : e.target.value;
                    setSource({ ...source, fields: { ...source.fields, [name]: v } });
                  }}
                  data-testid={`packet-field-${name}`}
                />
              </label>
            ))}
          </div>
        ) : (
          <textarea
            className="mono packet-hex"
            value={source.text}
            onChange={(e) => setSource({ kind: 'hex', text: e.target.value })}
            data-testid="packet-hex"
            rows={3}
          />
        )}
        {'error' in built && <p className="banner banner-error">{built.error}</p>}
        <p className="muted small">
          BPF_PROG_TEST_RUN runs each XDP, tc, socket filter and flow dissector program of the snippet on this packet:
          nothing is attached and no interface is made. With Repeat, XDP runs again on the packet the previous run left.
          A flow dissector shows the flow keys it filled in.
        </p>
      </form>
      <PacketLabResult run={p.run} />
    </div>
  );
}

function PacketLabResult({ run }: { run: SideRun | undefined }) {
  if (!run) return null;
  return (
    <div className="packet-results" data-testid="packet-results">
      {run.error && (
        <p className="banner banner-error" role="alert" data-testid="packet-error">
          {[run.error, ...run.diagnostics].join('\n')}
        </p>
      )}
      {run.warnings.map((w, i) => (
        <p key={i} className="muted small">
          {w}
        </p>
      ))}
      {run.tests.map((t, i) => (
        <TestResult key={i} t={t} />
      ))}
      {run.printk.length > 0 && <pre className="mono small">{run.printk.join('\n')}</pre>}
    </div>
  );
}

function TestResult({ t }: { t: TestRunMessage }) {
  if (t.error)
    return (
      <p className="banner banner-error" data-testid="packet-test-error">
        {t.program}: {t.error}
      </p>
    );
  const input = parseHexPacket(t.dataIn);
  const output = t.dataOut ? parseHexPacket(t.dataOut) : new Uint8Array(0);
  const diff = diffPackets(input, output);
  const changed = new Set(diff.fields.map((f) => `${f.layer}/${f.name}`));
  const per = t.durationNs >= 1000 ? `${(t.durationNs / 1000).toFixed(1)} µs` : `${t.durationNs} ns`;
  return (
    <section className="packet-test" data-testid="packet-test">
      <h4>
        {t.program} <span className="muted">SEC(&quot;{t.section}&quot;)</span>{' '}
        <span className="badge" data-testid="packet-verdict">
          {t.verdict}
        </span>{' '}
        <span className="muted small">
          retval {t.retval} · {t.repeat} run{t.repeat === 1 ? '' : 's'} · {per} per run
        </span>
      </h4>
      <table className="packet-table">
        <thead>
          <tr>
            <th>layer</th>
            <th>field</th>
            <th>in</th>
            <th>out</th>
          </tr>
        </thead>
        <tbody>
          {decodePacket(input).flatMap((l) =>
            l.fields.map((f) => {
              const d = diff.fields.find((x) => x.layer === l.layer && x.name === f.name);
              return (
                <tr
                  key={`${l.layer}/${f.name}`}
                  className={changed.has(`${l.layer}/${f.name}`) ? 'packet-changed' : ''}
                  data-testid={d ? 'packet-diff-row' : undefined}
                >
                  <td>{l.layer}</td>
                  <td>{f.name}</td>
                  <td className="mono">{f.value}</td>
                  <td className="mono">{d ? d.after : f.value}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
      {t.flowKeys !== undefined && <FlowKeys hex={t.flowKeys} />}
      <p className="small" data-testid="packet-summary">
        {diff.bytesChanged.length === 0 && diff.lengthAfter === diff.lengthBefore
          ? 'packet out: unchanged'
          : `packet out: ${diff.bytesChanged.length} bytes changed${diff.lengthAfter !== diff.lengthBefore ? `, ${diff.lengthBefore} → ${diff.lengthAfter} bytes` : ''}`}
      </p>
      {t.mapChanges.length > 0 && (
        <ul className="mono small" data-testid="packet-map-changes">
          {t.mapChanges.map((c, i) => (
            <li key={i}>
              {c.map}[{JSON.stringify(c.key)}]: {c.before === null ? '(none)' : JSON.stringify(c.before)} →{' '}
              {c.after === null ? '(none)' : JSON.stringify(c.after)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A flow dissector's result: struct bpf_flow_keys member by member, the ones it set (non-zero) marked. */
function FlowKeys({ hex }: { hex: string }) {
  const keys = decodeFlowKeys(parseHexPacket(hex));
  const zero = /^(0|0x0+|0\.0\.0\.0|0(:0)*)( |$)/;
  return (
    <table className="packet-table" data-testid="flow-keys">
      <caption className="small">struct bpf_flow_keys, as the program left it</caption>
      <thead>
        <tr>
          <th>member</th>
          <th>value</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr
            key={k.name}
            className={zero.test(k.value) ? '' : 'packet-changed'}
            data-testid="flow-key-row"
            data-key={k.name}
          >
            <td className="mono">{k.name}</td>
            <td className="mono">{k.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
