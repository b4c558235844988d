import type { ParamValue } from '@bpfplay/protocol';

/** A `const volatile` global: a knob the loader sets before load (.rodata), like libbpf-tools' `targ_pid`. */
export interface ParamDecl {
  name: string;
  type: string;
  /** The initializer as written, or null (zero). */
  init: string | null;
  file: string;
  line: number;
  kind: 'bool' | 'int' | 'string';
}

const DECL =
  /^\s*(?:static\s+)?const\s+volatile\s+([A-Za-z_][\w\s]*?)\s+([A-Za-z_]\w*)\s*(\[\s*\d*\s*\])?\s*(?:=\s*([^;]+))?;/;

/**
 * Find `const volatile` globals in the snippet. A regex over lines, not a C parser: it catches the
 * one-declaration-per-line style every libbpf program uses and misses exotic forms, which then
 * simply keep their compiled-in value.
 */
export function findParams(files: readonly { name: string; content: string }[]): ParamDecl[] {
  const out: ParamDecl[] = [];
  for (const f of files) {
    f.content.split('\n').forEach((text, i) => {
      const m = DECL.exec(text);
      if (!m) return;
      const type = m[1]!.replace(/\s+/g, ' ').trim();
      const isArray = m[3] !== undefined;
      const kind: ParamDecl['kind'] = isArray && /char/.test(type) ? 'string' : /bool/.test(type) ? 'bool' : 'int';
      if (isArray && kind !== 'string') return; // arrays of numbers have no single value to set
      out.push({
        name: m[2]!,
        type: isArray ? `${type}[]` : type,
        init: m[4]?.trim() ?? null,
        file: f.name,
        line: i + 1,
        kind,
      });
    });
  }
  return out;
}

/** Turn what the user typed into a param value, or say why it is not one. */
export function parseParamInput(
  decl: ParamDecl,
  text: string,
): { ok: true; value: ParamValue } | { ok: false; error: string } {
  const s = text.trim();
  if (decl.kind === 'string') return { ok: true, value: text };
  if (decl.kind === 'bool') {
    if (s === 'true' || s === '1') return { ok: true, value: true };
    if (s === 'false' || s === '0') return { ok: true, value: false };
    return { ok: false, error: `${decl.name} is a ${decl.type}: use true or false` };
  }
  if (/^-?\d+$/.test(s)) {
    const n = Number(s);
    if (/unsigned|^u\d|__u\d/.test(decl.type) && n < 0)
      return { ok: false, error: `${decl.name} is ${decl.type}: no negative values` };
    return { ok: true, value: Number.isSafeInteger(n) ? n : s };
  }
  if (/^0x[0-9a-f]+$/i.test(s)) return { ok: true, value: Number.parseInt(s, 16) };
  return { ok: false, error: `${decl.name} is ${decl.type}: enter a whole number` };
}
