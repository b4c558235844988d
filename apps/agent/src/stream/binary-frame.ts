/**
 * The agent's way of writing a binary events frame (protocol binary-events.ts) so that it is built
 * once, in the runner, and goes out unchanged: the header starts `{"seq":` followed by a slot of
 * SEQ_WIDTH spaces, which the agent's connection overwrites with the frame's `seq` (right-aligned:
 * spaces before a number are plain JSON whitespace). So the agent neither parses nor copies the
 * frame — measured before this: splicing `seq` in meant a second fragment per message, which the
 * client's WebSocket must reassemble (a copy of every byte).
 */
export const SEQ_WIDTH = 16;
const PREFIX = '{"seq":';
/** Where the slot starts in the message: after the u32 header length and the prefix. */
const SLOT = 4 + PREFIX.length;

/** The start of a header, up to and including the comma after the slot. */
export const HEADER_START = `${PREFIX}${' '.repeat(SEQ_WIDTH)},`;

/** The whole message: u32 LE header length · header · records (each u32 LE length + bytes). */
export function binaryMessage(header: Uint8Array, records: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + header.length + records.length);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  out.set(records, 4 + header.length);
  return out;
}

/** Write `seq` into the slot of a message built with HEADER_START. */
export function stampSeq(message: Uint8Array, seq: number): void {
  const digits = String(seq);
  if (digits.length > SEQ_WIDTH)
    throw new Error(`seq ${seq} does not fit the binary frame's ${SEQ_WIDTH}-character slot`);
  const at = SLOT + SEQ_WIDTH - digits.length;
  message.fill(0x20, SLOT, at);
  for (let i = 0; i < digits.length; i++) message[at + i] = digits.charCodeAt(i);
}
