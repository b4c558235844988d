import { parseArgs } from 'node:util';
import {
  buildPacket,
  PACKET_DEFAULTS,
  PACKET_FIELD_NAMES,
  PACKET_PRESETS,
  PacketError,
  packetHex,
  parseHexPacket,
  type PacketFields,
  type PacketPreset,
} from '@bpfplay/protocol';
import { AGENT_OPTIONS, agentTarget, paramsOption, positiveInt } from './agent-target.js';
import { runOnAgent } from './run-client.js';
import { fail, readSnippet } from './snippet-files.js';
import { TOKEN_USAGE } from './token-source.js';

export const TEST_RUN_USAGE = `  bpfplay test-run FILE... --packet ${PACKET_PRESETS.join('|')}|hex:HEX [--field NAME=VALUE]... [--repeat N] [--json]
              [--param NAME=VALUE]... [--main FILE] [--agent URL] ${TOKEN_USAGE}
              (the packet lab: every XDP, tc and socket filter program runs on the packet with BPF_PROG_TEST_RUN,
               nothing attached; fields: ${PACKET_FIELD_NAMES.join(', ')})`;

/** `--packet` and `--field`s as the packet's bytes, or the reason they do not make one. */
export function packetFromArgs(packet: string, fields: string[]): Uint8Array {
  if (packet.startsWith('hex:')) {
    if (fields.length) throw new PacketError('--field edits a preset; a hex: packet is taken as it is');
    return parseHexPacket(packet.slice(4));
  }
  if (!PACKET_PRESETS.includes(packet as PacketPreset))
    throw new PacketError(`--packet is one of ${PACKET_PRESETS.join(', ')} or hex:…, not "${packet}"`);
  const edits: Partial<Record<keyof PacketFields, string | number>> = {};
  for (const f of fields) {
    const eq = f.indexOf('=');
    const name = f.slice(0, eq) as keyof PacketFields;
    if (eq <= 0 || !PACKET_FIELD_NAMES.includes(name))
      throw new PacketError(`--field expects NAME=VALUE with NAME one of ${PACKET_FIELD_NAMES.join(', ')}; got "${f}"`);
    const raw = f.slice(eq + 1);
    edits[name] = typeof PACKET_DEFAULTS.icmp[name] === 'number' ? Number(raw) : raw;
  }
  return buildPacket(packet as PacketPreset, edits as Partial<PacketFields>);
}

export async function testRunCommand(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      packet: { type: 'string' },
      field: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      json: { type: 'boolean', default: false },
      param: { type: 'string', multiple: true },
      main: { type: 'string' },
      ...AGENT_OPTIONS,
    },
  });
  if (!values.packet) fail(`--packet is required\n${usage}`);
  let bytes: Uint8Array;
  try {
    bytes = packetFromArgs(values.packet, values.field ?? []);
  } catch (e) {
    if (e instanceof PacketError) fail(e.message);
    throw e;
  }
  const repeat = values.repeat === undefined ? 1 : positiveInt('--repeat', values.repeat);
  const snippet = readSnippet(positionals, values.main, usage);
  const agent = await agentTarget(values);
  const outcome = await runOnAgent({
    agentUrl: agent.agentUrl,
    token: agent.token,
    snippet,
    options: { mode: 'test-run', packet: { hex: packetHex(bytes), repeat }, ...paramsOption(values.param) },
    json: values.json ?? false,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
  await agent.close();
  return outcome.exitCode;
}
