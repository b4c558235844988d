import type { LayoutNode, RecordLayout } from '@bpfplay/protocol';
import { emitNamed, namedKinds, namesCode } from './c-names.js';
import { cString } from './c-strings.js';

export { cString, namedKinds, namesCode };

/**
 * C that prints a BTF-typed value the way the playground does, generated from the same record
 * layout every playground decoder is built from (packages/protocol/src/decode/layout.ts): the
 * exported loader then shows a record exactly as `bpfplay run` did, without a BTF parser of its own.
 * The helpers it calls (put_int, put_chars, ...) are in export-c/bpfplay_print.h.
 *
 * Each generated statement appends to `struct sbuf *b` the value at `p` (an `unsigned char *`
 * expression). `json` is false only for a table cell holding a scalar: strings unquoted, large
 * integers as bare digits, as the CLI's cells show them. `named`: print a value that has a readable
 * form (formatters.ts) by it, as event rows do (c-names.ts); maps at exit show plain values.
 */
export function emitValue(node: LayoutNode, p: string, json: boolean, indent = '\t', named = false): string {
  const at = (off: number) => (off ? `${p} + ${off}` : p);
  if (named) {
    const plain = emitPlain(node, p, json, indent, named);
    return emitNamed(node, at(nodeOff(node)), json, indent, plain) ?? plain;
  }
  return emitPlain(node, p, json, indent, named);
}

/** Where a node's value starts, relative to its frame (bitfields count from the frame itself). */
function nodeOff(node: LayoutNode): number {
  return node.k === 'bits' ? 0 : node.off;
}

function emitPlain(node: LayoutNode, p: string, json: boolean, indent: string, named: boolean): string {
  const at = (off: number) => (off ? `${p} + ${off}` : p);
  switch (node.k) {
    case 'int':
      if (node.size > 8)
        return `${indent}put_undecodable(b, ${at(node.off)}, ${node.size}, "integer wider than 64 bits");\n`;
      return node.bool
        ? `${indent}put_bool(b, ${at(node.off)}, ${node.size});\n`
        : `${indent}put_int(b, ${at(node.off)}, ${node.size}, ${node.signed}, ${json});\n`;
    case 'bits': {
      const read = `read_bits(${p}, ${node.bit}, ${node.bits})`;
      if (node.bits === 0 || node.bits > 64) return `${indent}sb_printf(b, "null");\n`;
      const value = node.signed ? `sign_extend(${read}, ${node.bits})` : read;
      if (node.bool) return `${indent}sb_printf(b, ${read} ? "true" : "false");\n`;
      if (node.names) return emitNames(node.names, value, node.signed, json, indent);
      return node.signed
        ? `${indent}put_signed(b, ${value}, ${json});\n`
        : `${indent}put_unsigned(b, ${value}, ${json});\n`;
    }
    case 'enum': {
      const raw = `read_le(${at(node.off)}, ${node.size})`;
      const value = node.signed ? `sign_extend(${raw}, ${node.size * 8})` : raw;
      return emitNames(node.names, value, node.signed, json, indent);
    }
    case 'float':
      return node.size === 4
        ? `${indent}{ float f; memcpy(&f, ${at(node.off)}, 4); put_float(b, f); }\n`
        : `${indent}{ double d; memcpy(&d, ${at(node.off)}, 8); put_float(b, d); }\n`;
    case 'ptr':
      return json
        ? `${indent}sb_printf(b, "\\""); put_ptr(b, ${at(node.off)}); sb_printf(b, "\\"");\n`
        : `${indent}put_ptr(b, ${at(node.off)});\n`;
    case 'chars':
      return `${indent}put_chars(b, ${at(node.off)}, ${node.n}, ${json});\n`;
    case 'array': {
      const i = `i${indent.length}`;
      const elem = emitValue(node.elem, `${at(node.off)} + ${i} * ${node.stride}`, true, `${indent}\t`, named);
      return (
        `${indent}sb_printf(b, "[");\n` +
        `${indent}for (int ${i} = 0; ${i} < ${node.n}; ${i}++) {\n` +
        `${indent}\tif (${i}) sb_printf(b, ",");\n${elem}` +
        `${indent}}\n${indent}sb_printf(b, "]");\n`
      );
    }
    case 'struct': {
      const fields = uniqueFields(node.fields);
      let out = `${indent}sb_printf(b, "{");\n`;
      fields.forEach((f, n) => {
        out += `${indent}sb_printf(b, "${n ? ',' : ''}%s:", ${cString(JSON.stringify(f.name))});\n`;
        out += emitValue(f.node, at(node.off), true, indent, named);
      });
      return `${out}${indent}sb_printf(b, "}");\n`;
    }
    case 'unknown':
      return `${indent}put_undecodable(b, ${at(node.off)}, ${node.size ?? 0}, ${cString(node.reason)});\n`;
  }
}

/** An enum by the name of its value (the first enumerator declared with it); unknown values as numbers. */
function emitNames(
  names: Record<string, string>,
  value: string,
  signed: boolean,
  json: boolean,
  indent: string,
): string {
  const q = json ? '\\"' : '';
  let out = `${indent}switch ((long long)${value}) {\n`;
  for (const [v, name] of Object.entries(names)) {
    out += `${indent}case ${v}${signed ? 'LL' : 'ULL'}: sb_printf(b, "${q}%s${q}", ${cString(name)}); break;\n`;
  }
  out += signed
    ? `${indent}default: put_signed(b, (int64_t)${value}, ${json});\n`
    : `${indent}default: put_unsigned(b, (uint64_t)${value}, ${json});\n`;
  return `${out}${indent}}\n`;
}

/** A repeated member name keeps its first position and its last value (the playground's JSON object rule). */
function uniqueFields(fields: { name: string; node: LayoutNode }[]): { name: string; node: LayoutNode }[] {
  const last = new Map<string, LayoutNode>();
  for (const f of fields) last.set(f.name, f.node);
  return [...last.keys()].map((name) => ({ name, node: last.get(name)! }));
}

/** Is a table cell of this node a scalar (shown bare) or JSON (arrays, structs, undecodable bytes)? */
function isScalar(node: LayoutNode): boolean {
  return node.k !== 'array' && node.k !== 'struct' && node.k !== 'unknown';
}

/**
 * A function filling one cell per column for a record of `layout`: the record's top-level fields,
 * or one `value` cell for a record that is not a struct. A record shorter than its type is shown as
 * its bytes in the first cell, as the playground does.
 */
export function emitRowFunction(fn: string, layout: RecordLayout): string {
  const root = layout.root;
  const fields = root.k === 'struct' ? uniqueFields(root.fields) : [{ name: 'value', node: root }];
  let body = '';
  fields.forEach((f, i) => {
    body += `\tb = &cells[${i}];\n\tsb_reset(b);\n`;
    // A cell shows a field's readable form bare (the CLI's cell of `shown`), its plain value as before.
    const base = root.k === 'struct' ? at0(root.off) : 'p';
    const plain = emitPlain(f.node, base, !isScalar(f.node), '\t', true);
    const start = nodeOff(f.node) ? `${base} + ${nodeOff(f.node)}` : base;
    body += emitNamed(f.node, start, false, '\t', plain) ?? plain;
  });
  const short = cString(`the record is shorter than its BTF type ${layout.typeName} (${layout.size} bytes)`);
  return (
    `static void ${fn}(struct sbuf *cells, const unsigned char *p, size_t size)\n{\n\tstruct sbuf *b;\n\n` +
    `\tif (size < ${layout.size}) {\n\t\tfor (int i = 0; i < ${fields.length}; i++) sb_reset(&cells[i]);\n` +
    `\t\tb = &cells[0];\n\t\tput_undecodable(b, p, (int)size, ${short});\n\t\treturn;\n\t}\n${body}}\n`
  );
}

const at0 = (off: number) => (off ? `p + ${off}` : 'p');

/** The column names of a layout's table (the protocol's layoutColumns, kept in field order). */
export function columnsOf(layout: RecordLayout): string[] {
  return layout.root.k === 'struct' ? uniqueFields(layout.root.fields).map((f) => f.name) : ['value'];
}

/** A function appending one whole value of `node` as JSON (map keys and values at exit). */
export function emitJsonFunction(fn: string, node: LayoutNode): string {
  return `static __attribute__((unused)) void ${fn}(struct sbuf *b, const unsigned char *p)\n{\n${emitValue(node, 'p', true)}}\n`;
}
