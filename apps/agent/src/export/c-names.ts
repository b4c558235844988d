import { numberTable, openFlagBits, type LayoutNode, type TableKind } from '@bpfplay/protocol';
import { cString } from './c-strings.js';

/**
 * Names for numbers in the exported loader: a field the playground shows by name (`-ENOENT`,
 * `O_RDONLY`, `openat`, `127.0.0.1`; packages/protocol decode/formatters.ts picks them when the
 * layout is built) is printed by the same name, from the same tables (number-names.ts), so the
 * binary's rows read like `bpfplay run`'s. Only the kinds a layout uses are emitted.
 *
 * Each C function `name_<kind>` appends the name to `b` and returns true, or returns false when the
 * value has none (the plain value is printed then, as the playground does).
 */
const TABLES: readonly TableKind[] = ['errno', 'eai', 'syscall', 'signal', 'ipproto', 'af'];
/** Kinds named from one integer value (ipv6 needs the 16 bytes). */
const INTEGER = new Set<string>([...TABLES, 'ret-errno', 'open-flags', 'ipv4', 'port-be']);

const cName = (kind: string) => `name_${kind.replace(/-/g, '_')}`;

/** The formatter kinds used anywhere in a node that this generator can name. */
export function namedKinds(node: LayoutNode | undefined, into = new Set<string>()): Set<string> {
  if (!node) return into;
  if ('fmt' in node && node.fmt && (INTEGER.has(node.fmt) || node.fmt === 'ipv6')) into.add(node.fmt);
  if (node.k === 'array') namedKinds(node.elem, into);
  if (node.k === 'struct') for (const f of node.fields) namedKinds(f.node, into);
  return into;
}

/** The C functions naming the given kinds (nothing for none). */
export function namesCode(kinds: Set<string>): string {
  if (!kinds.size) return '';
  let out = '/* Names for numbers, as the playground shows them (its number-names tables). */\n';
  out += `static __attribute__((unused)) void put_name(struct sbuf *b, const char *s, bool json)
{
	sb_printf(b, json ? "\\"%s\\"" : "%s", s);
}
`;
  const table = (k: TableKind) => `${cName(k)}_of`;
  for (const k of TABLES)
    if (kinds.has(k) || (k === 'errno' && kinds.has('ret-errno'))) {
      out += `static const char *${table(k)}(int64_t v)\n{\n\tswitch (v) {\n`;
      for (const [v, name] of numberTable(k)) out += `\tcase ${v}: return ${cString(name)};\n`;
      out += '\tdefault: return NULL;\n\t}\n}\n';
    }
  // Past 2^53 the playground holds a decimal string, which has no name.
  const safe = '\tif (v > (int64_t)BPFPLAY_MAX_SAFE || v < -(int64_t)BPFPLAY_MAX_SAFE)\n\t\treturn false;\n';
  const fn = (k: string, body: string) =>
    kinds.has(k) ? `static bool ${cName(k)}(struct sbuf *b, int64_t v, bool json)\n{\n${safe}${body}}\n` : '';
  const plainTable = (k: TableKind) =>
    `\tconst char *s = ${table(k)}(v);\n\tif (!s)\n\t\treturn false;\n\tput_name(b, s, json);\n\treturn true;\n`;
  out += fn(
    'errno',
    `\tconst char *s = ${table('errno')}(v < 0 ? -v : v);\n\tif (!s)\n\t\treturn false;\n` +
      `\tchar t[64];\n\tsnprintf(t, sizeof(t), "%s%s", v < 0 ? "-" : "", s);\n\tput_name(b, t, json);\n\treturn true;\n`,
  );
  out += fn(
    'ret-errno',
    `\tconst char *s = v < 0 ? ${table('errno')}(-v) : NULL;\n\tif (!s)\n\t\treturn false;\n` +
      `\tchar t[64];\n\tsnprintf(t, sizeof(t), "-%s", s);\n\tput_name(b, t, json);\n\treturn true;\n`,
  );
  out += fn('eai', plainTable('eai'));
  out += fn('syscall', plainTable('syscall'));
  out += fn('ipproto', plainTable('ipproto'));
  out += fn('af', plainTable('af'));
  out += fn(
    'signal',
    `\tconst char *s = ${table('signal')}(v);\n\tchar t[32];\n` +
      `\tif (!s && v >= 32 && v <= 64) {\n\t\tsnprintf(t, sizeof(t), "SIGRTMIN+%d", (int)(v - 32));\n\t\ts = t;\n\t}\n` +
      `\tif (!s)\n\t\treturn false;\n\tput_name(b, s, json);\n\treturn true;\n`,
  );
  out += fn(
    'open-flags',
    // The playground reads the flags as 32 bits (JavaScript's bitwise operators).
    `\tstatic const struct { uint32_t bit; const char *name; } bits[] = {\n` +
      openFlagBits.map(([bit, name]) => `\t\t{ ${bit}, ${cString(name)} },\n`).join('') +
      `\t};\n\tif (v < 0)\n\t\treturn false;\n\tuint32_t rest = (uint32_t)v & ~3u;\n\tuint32_t mode = (uint32_t)v & 3u;\n` +
      `\tstruct sbuf t = { 0 };\n` +
      `\tsb_printf(&t, "%s", mode == 0 ? "O_RDONLY" : mode == 1 ? "O_WRONLY" : mode == 2 ? "O_RDWR" : "O_ACCMODE");\n` +
      `\tfor (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)\n` +
      `\t\tif (rest & bits[i].bit) {\n\t\t\tsb_printf(&t, "|%s", bits[i].name);\n\t\t\trest &= ~bits[i].bit;\n\t\t}\n` +
      `\tif (rest)\n\t\tsb_printf(&t, "|0x%x", rest);\n\tput_name(b, t.s ? t.s : "", json);\n\tfree(t.s);\n\treturn true;\n`,
  );
  out += fn(
    'ipv4',
    `\tif (v < -2147483648LL || v > 4294967295LL)\n\t\treturn false;\n\tuint32_t u = (uint32_t)v;\n\tchar t[16];\n` +
      `\tsnprintf(t, sizeof(t), "%u.%u.%u.%u", u & 255, (u >> 8) & 255, (u >> 16) & 255, u >> 24);\n` +
      `\tput_name(b, t, json);\n\treturn true;\n`,
  );
  out += fn(
    'port-be',
    `\tif (v < 0 || v > 0xffff)\n\t\treturn false;\n\tsb_printf(b, "%u", (unsigned)(((v & 0xff) << 8) | (v >> 8)));\n\treturn true;\n`,
  );
  if (kinds.has('ipv6'))
    out += `/* RFC 5952: lower case, the longest run (2 or more) of zero groups as ::, IPv4-mapped as ::ffff:a.b.c.d. */
static bool name_ipv6(struct sbuf *b, const unsigned char *p, bool json)
{
	char t[64];
	int best = -1, best_len = 1;
	unsigned g[8];
	bool mapped = p[10] == 255 && p[11] == 255;
	for (int i = 0; i < 10; i++)
		mapped = mapped && p[i] == 0;
	if (mapped) {
		snprintf(t, sizeof(t), "::ffff:%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
		put_name(b, t, json);
		return true;
	}
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)p[2 * i] << 8 | p[2 * i + 1];
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i == best) {
			n += snprintf(t + n, sizeof(t) - n, "::");
			i += best_len - 1;
			continue;
		}
		n += snprintf(t + n, sizeof(t) - n, "%s%x", n && t[n - 1] != ':' ? ":" : "", g[i]);
	}
	put_name(b, t, json);
	return true;
}
`;
  return out;
}

/**
 * C printing `node` (at pointer expression `p`) by its name when it has one, else `plain` (the
 * statements printing its plain value); undefined when the node is not named here.
 */
export function emitNamed(
  node: LayoutNode,
  p: string,
  json: boolean,
  indent: string,
  plain: string,
): string | undefined {
  const fmt = 'fmt' in node ? node.fmt : undefined;
  if (!fmt) return undefined;
  const orPlain = (cond: string) => `${indent}if (!(${cond})) {\n${plain.replace(/^/gm, '\t')}${indent}}\n`;
  if (fmt === 'ipv6') {
    if (node.k === 'int' && node.size === 16) return orPlain(`name_ipv6(b, ${p}, ${json})`);
    if (node.k === 'array' && node.elem.k === 'int' && !node.elem.bool) {
      const w = node.elem.size;
      if (node.n * w !== 16 || node.stride !== w || ![1, 2, 4].includes(w)) return undefined;
      // A signed element must not be negative (the playground names only words in range).
      const nonNegative = node.elem.signed
        ? Array.from({ length: node.n }, (_, i) => `${p}[${i * w + w - 1}] < 128`).join(' && ') + ' && '
        : '';
      return orPlain(`${nonNegative}name_ipv6(b, ${p}, ${json})`);
    }
    return undefined;
  }
  if (!INTEGER.has(fmt)) return undefined;
  let value: string;
  if (node.k === 'int' && node.size <= 8 && !node.bool) {
    const raw = `read_le(${p}, ${node.size})`;
    value = node.signed ? `sign_extend(${raw}, ${node.size * 8})` : `(int64_t)${raw}`;
    if (!node.signed && node.size === 8) value = `(${raw} > BPFPLAY_MAX_SAFE ? INT64_MAX : ${value})`;
  } else if (node.k === 'bits' && node.bits > 0 && node.bits <= 53 && !node.bool) {
    const raw = `read_bits(${p}, ${node.bit}, ${node.bits})`;
    value = node.signed ? `sign_extend(${raw}, ${node.bits})` : `(int64_t)${raw}`;
  } else if (fmt === 'ipv4' && node.k === 'array' && node.n === 4 && node.elem.k === 'int' && node.elem.size === 1) {
    const bytes = node.elem.signed ? `${p}[0] < 128 && ${p}[1] < 128 && ${p}[2] < 128 && ${p}[3] < 128 && ` : '';
    return orPlain(`${bytes}name_ipv4(b, (int64_t)read_le(${p}, 4), ${json})`);
  } else return undefined;
  return orPlain(`${cName(fmt)}(b, ${value}, ${json})`);
}
