/**
 * A NUL-separated string section (BTF or ELF). Kernel BTF strings are ASCII, so the whole table is decoded
 * once and sliced by index: decoding ~100k names one by one with TextDecoder costs tens of milliseconds on
 * vmlinux, which is most of the parse budget. Tables holding UTF-8 (clang embeds source lines, comments
 * included) fall back to decoding each string on demand.
 */
const utf8 = new TextDecoder('utf-8', { fatal: false });

export class StringTable {
  private readonly text: string | undefined;
  private readonly cache = new Map<number, string>();

  constructor(private readonly bytes: Uint8Array) {
    const whole = utf8.decode(bytes);
    // Equal lengths mean every byte was one character, so byte offsets are character offsets.
    this.text = whole.length === bytes.length ? whole : undefined;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** The string at byte offset `off`; '' for offsets outside the table (as libbpf treats a bad name_off). */
  get(off: number): string {
    if (off < 0 || off >= this.bytes.length) return '';
    if (this.text !== undefined) {
      const end = this.text.indexOf('\0', off);
      return this.text.slice(off, end < 0 ? undefined : end);
    }
    let s = this.cache.get(off);
    if (s === undefined) {
      let end = this.bytes.indexOf(0, off);
      if (end < 0) end = this.bytes.length;
      s = utf8.decode(this.bytes.subarray(off, end));
      this.cache.set(off, s);
    }
    return s;
  }
}
