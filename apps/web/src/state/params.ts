import type { ParamValue, ServerMessageOf, Value } from '@bpfplay/protocol';

/**
 * A `const volatile` global: a knob the loader sets before load (.rodata), like libbpf-tools'
 * `targ_pid`. The list comes from the agent's `params` frame, which it reads from the object's BTF
 * after each Run or Check: what the compiler made of the source, not a guess from its text.
 */
export interface ParamDecl {
  name: string;
  /** C type without the `const volatile` every parameter has, e.g. `pid_t`, `char[16]`. */
  type: string;
  /** The value compiled in, as the agent decoded it. */
  compiled: Value;
  kind: 'bool' | 'int' | 'string';
  /** Where the declaration is in the snippet, for the jump link; undefined when it is not found. */
  at?: { file: string; line: number };
  /** A map size the playground sets as the program's loader would (`map.<map>.<field>`): why. */
  loader?: string;
}

export type ParamsFrame = ServerMessageOf<'params'>['params'];

/** The parameters of the agent's `params` frame, each with where the snippet declares it. */
export function paramDecls(frame: ParamsFrame, files: readonly { name: string; content: string }[]): ParamDecl[] {
  return frame.map((p) => {
    const type = p.type.replace(/^(?:(?:const|volatile)\s+)+/, '').trim();
    const kind: ParamDecl['kind'] =
      typeof p.value === 'boolean'
        ? 'bool'
        : /\bchar\s*\[/.test(type) && typeof p.value === 'string'
          ? 'string'
          : 'int';
    // A map size is declared where its map is; a knob where its `const volatile` is.
    const at = p.loader ? declarationOf(p.loader.map, '.maps', files) : declarationOf(p.name, 'volatile', files);
    return {
      name: p.name,
      type,
      compiled: p.value,
      kind,
      ...(at ? { at } : {}),
      ...(p.loader ? { loader: p.loader.why } : {}),
    };
  });
}

/** The first line that mentions `name` as a word next to `marker`: where it is declared. */
function declarationOf(
  name: string,
  marker: string,
  files: readonly { name: string; content: string }[],
): { file: string; line: number } | undefined {
  const word = new RegExp(`\\b${name.replace(/[^\w]/g, '')}\\b`);
  for (const f of files) {
    const lines = f.content.split('\n');
    const i = lines.findIndex((l) => l.includes(marker) && word.test(l));
    if (i >= 0) return { file: f.name, line: i + 1 };
  }
  return undefined;
}

/** Turn what the user typed into a param value, or say why it is not one. */
export function parseParamInput(
  decl: Pick<ParamDecl, 'name' | 'type' | 'kind'>,
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
