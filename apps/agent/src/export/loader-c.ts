import { RUN_DEFAULTS, type FieldInfo, type RecordLayout } from '@bpfplay/protocol';
import type { AttachKind } from '../attach/kinds.js';
import { typeWidth, isIntegerType } from '../cli/event-table.js';
import { globalsCall, globalsCode, type ExportedGlobals } from './globals-c.js';
import { cString, columnsOf, emitJsonFunction, emitRowFunction, namedKinds, namesCode } from './c-decode.js';
import type { ExportedKnob } from './knobs.js';
import { knobDefaultsCode, knobFlagCode } from './knobs.js';

/** What the generated loader needs to know about the object (project.ts reads it from the BTF). */
export interface LoaderSpec {
  /** Project name; the skeleton is `<name>.skel.h` with `struct <name>_bpf`. */
  name: string;
  programs: { name: string; section: string; kind: AttachKind; off?: string }[];
  knobs: ExportedKnob[];
  /** Ring buffers and perf event arrays with the record type the playground decodes them with. */
  buffers: { map: string; perf: boolean; layout?: RecordLayout; fields: FieldInfo[] }[];
  /** The object has the playground's printk ring (`bpfplay_printk`, include/bpf/bpf_helpers.h). */
  printk: boolean;
  maps: ExportedMap[];
  /** `.rodata`/`.data`/`.bss`, printed after the maps (globals-c.ts). */
  globals: ExportedGlobals[];
}

/** A map printed at exit, as `bpfplay run` prints its last snapshot. */
export interface ExportedMap {
  name: string;
  head: string;
  typeName: string;
  perCpu: boolean;
  isArray: boolean;
  keyLayout?: RecordLayout;
  valueLayout?: RecordLayout;
  /** `buckets`: an array of counters, one log2 bucket per index; `slots`: each value has a `slots` array. */
  hist?: { kind: 'buckets' } | { kind: 'slots'; off: number; n: number; size: number };
  unit?: string;
  /** `counters`: an integer value, summed over CPUs for per-CPU maps. */
  intValue?: { size: number; signed: boolean };
}

const skel = (s: LoaderSpec) => `${s.name}_bpf`;

/** The whole `<name>.c`: includes, printers, options, attach, the poll loop, maps at exit. */
export function generateLoader(s: LoaderSpec): string {
  const parts = [
    header(s),
    namesCode(s.buffers.reduce((kinds, b) => namedKinds(b.layout?.root, kinds), new Set<string>())),
    ...s.buffers.map((b, i) => bufferCode(s, b, i)),
    ...s.maps.map((m, i) => mapCode(m, i)),
    ...s.globals.map((g, i) => globalsCode(g, i)),
    optionsCode(s),
    mainCode(s),
  ];
  return parts.join('\n');
}

function header(s: LoaderSpec): string {
  return `// SPDX-License-Identifier: (Apache-2.0 OR BSD-2-Clause)
/*
 * ${s.name}: the loader bpfplay generated for ${s.name}.bpf.c. It does what the playground did with it:
 * load, set the const volatile knobs (flags below), switch off the programs the playground switched
 * off, attach, print ring/perf buffer records as \`bpfplay run\` does, print the maps at exit.
 * Build with \`make\` (\`make STATIC=1\` for a static binary), run as root: sudo ./${s.name} --help
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/perf_event.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
/* The skeleton declares globals with the types the BPF code used; vmlinux.h's short names are kernel-only. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
#include "${s.name}.skel.h"
#include "bpfplay_print.h"
#include "bpfplay_attach.h"

static volatile sig_atomic_t exiting;
static void on_signal(int sig) { (void)sig; exiting = 1; }

/* Milliseconds since attach: the time column of \`bpfplay run\` (bpf_ktime_get_ns shares CLOCK_MONOTONIC). */
static uint64_t attached_ns;
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
static double run_ms(uint64_t ns) { return ns >= attached_ns ? (ns - attached_ns) / 1e6 : 0; }

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}
${
  s.printk
    ? `
/* The playground's bpf_printk writes 256-byte records to the bpfplay_printk ring (include/bpf/bpf_helpers.h). */
static int on_printk(void *ctx, void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t ts;
	uint32_t cpu;
	char text[241];
	(void)ctx;
	if (size < 256)
		return 0;
	memcpy(&ts, p, 8);
	memcpy(&cpu, p + 8, 4);
	memcpy(text, p + 16, 240);
	text[240] = 0;
	size_t n = strlen(text);
	if (n && text[n - 1] == '\\n')
		text[n - 1] = 0;
	char t[32];
	snprintf(t, sizeof(t), "%.3fs", run_ms(ts) / 1000);
	printf("%9s cpu%u %s\\n", t, cpu, text);
	fflush(stdout);
	return 0;
}
`
    : ''
}`;
}

/** A record printer and the table of one ring or perf buffer. */
function bufferCode(s: LoaderSpec, b: LoaderSpec['buffers'][number], i: number): string {
  const prefix = s.buffers.length > 1;
  const sourceWidth = Math.max(6, ...s.buffers.map((x) => x.map.length));
  const columns = b.layout ? columnsOf(b.layout) : ['data'];
  const types = columns.map((c) => b.fields.find((f) => f.name === c)?.type ?? (b.layout ? '' : 'hex'));
  const widths = columns.map((c, j) => Math.max(c.length, typeWidth(types[j]!)));
  const numeric = types.map((t) => isIntegerType(t));
  const row = b.layout
    ? emitRowFunction(`row_${i}`, b.layout)
    : `static void row_${i}(struct sbuf *cells, const unsigned char *p, size_t size)
{
	sb_reset(&cells[0]);
	sb_printf(&cells[0], "{\\"$hex\\":\\"");
	for (size_t k = 0; k < size; k++)
		sb_printf(&cells[0], "%02x", p[k]);
	sb_printf(&cells[0], "\\"}");
}
`;
  const handler = b.perf
    ? `static void on_${i}(void *ctx, int cpu, void *data, __u32 size)
{
	(void)ctx; (void)cpu;
	row_${i}(cells_${i}, data, size);
	table_row(&table_${i}, run_ms(now_ns()), cells_${i});
}
static void lost_${i}(void *ctx, int cpu, __u64 n)
{
	(void)ctx;
	fprintf(stderr, "(%llu ${b.map} records lost on CPU %d)\\n", (unsigned long long)n, cpu);
}
`
    : `static int on_${i}(void *ctx, void *data, size_t size)
{
	(void)ctx;
	row_${i}(cells_${i}, data, size);
	table_row(&table_${i}, run_ms(now_ns()), cells_${i});
	return 0;
}
`;
  return `/* Records of ${b.map}${b.layout ? ` (${b.layout.typeName})` : ' (no record type: shown as hex)'}. */
${row}static const char *const headers_${i}[] = { ${columns.map((c) => cString(c.toUpperCase())).join(', ')} };
static int widths_${i}[] = { ${widths.join(', ')} };
static const bool numeric_${i}[] = { ${numeric.join(', ')} };
static struct sbuf cells_${i}[${columns.length}];
static struct table table_${i} = { ${columns.length}, headers_${i}, widths_${i}, numeric_${i}, ${prefix}, ${cString(b.map)}, ${sourceWidth} };
${handler}`;
}

/** Printing one map at exit, in the form of `bpfplay run`'s last snapshot. */
function mapCode(m: ExportedMap, i: number): string {
  const key = m.keyLayout ? emitJsonFunction(`map_key_${i}`, m.keyLayout.root) : '';
  const value = m.valueLayout ? emitJsonFunction(`map_value_${i}`, m.valueLayout.root) : '';
  const hex = (fn: string, n: string) => `\t\tfor (size_t k = 0; k < ${n}; k++) sb_printf(&b, "%02x", ${fn}[k]);\n`;
  const head = cString(m.head);
  let body: string;
  if (m.hist?.kind === 'buckets') {
    body = `\tunsigned long long buckets[256] = { 0 };
	int n = 0;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, ksz);
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		uint32_t idx; memcpy(&idx, key, 4);
		if (idx < 256) { buckets[idx] = sum_values(val, vsz, ncpu, ${m.perCpu}); if ((int)idx + 1 > n) n = idx + 1; }
	}
	printf("%s\\n", ${head});
	print_log2_hist(${cString(m.name)}, buckets, n, ${m.unit ? cString(m.unit) : 'NULL'});
`;
  } else {
    const slots = m.hist?.kind === 'slots' ? m.hist : undefined;
    body = `\tprintf("%s\\n", ${head});
	int shown = 0, hidden = 0, entries = 0;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, ksz);
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		entries++;
		struct sbuf b = { 0 };
${key ? `\t\tmap_key_${i}(&b, key);\n` : `\t\tsb_printf(&b, "{\\"$hex\\":\\"");\n${hex('key', 'ksz')}\t\tsb_printf(&b, "\\"}");\n`}${
      slots
        ? `\t\tunsigned long long counts[${slots.n}];
		for (int k = 0; k < ${slots.n}; k++) counts[k] = read_le(val + ${slots.off} + k * ${slots.size}, ${slots.size});
		print_log2_hist(${cString(m.name)}, counts, ${slots.n}, ${m.unit ? cString(m.unit) : 'NULL'});
		(void)hidden; shown++;
`
        : `\t\tsb_printf(&b, ": ");
${
  m.intValue
    ? `\t\tif (${m.isArray} && sum_values(val, vsz, ncpu, ${m.perCpu}) == 0) { hidden++; free(b.s); continue; }
		${m.perCpu ? `put_unsigned(&b, sum_values(val, vsz, ncpu, true), true);` : `put_int(&b, val, ${m.intValue.size}, ${m.intValue.signed}, true);`}
`
    : m.valueLayout
      ? `\t\tmap_value_${i}(&b, val);\n`
      : `\t\tsb_printf(&b, "{\\"$hex\\":\\"");\n${hex('val', 'vsz')}\t\tsb_printf(&b, "\\"}");\n`
}\t\tprintf("  %s\\n", b.s);
		shown++;
`
    }\t\tfree(b.s);
	}
	if (hidden)
		printf("  (%d zero entries not shown)\\n", hidden);
	(void)shown; (void)entries;
`;
  }
  return `${key}${value}static void print_map_${i}(int fd, int ncpu)
{
	unsigned int ksz = ${m.keyLayout?.size ?? 0}, vsz = ${m.valueLayout?.size ?? 0};
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	if (!bpf_map_get_info_by_fd(fd, &info, &len)) { ksz = info.key_size; vsz = info.value_size; }
	unsigned char *key = calloc(1, ksz + 8), *next = calloc(1, ksz + 8);
	/* A per-CPU lookup fills one 8-byte-aligned slot per possible CPU. */
	unsigned char *val = calloc(${m.perCpu ? 'ncpu' : '1'}, (vsz + 7) / 8 * 8 + 8);
	bool first = true;
	(void)ncpu;
${body}	free(key); free(next); free(val);
}
`;
}

function optionsCode(s: LoaderSpec): string {
  const knobOptions = s.knobs.map(
    (k) => `\t{ ${cString(k.flag)}, required_argument, NULL, ${1000 + s.knobs.indexOf(k)} },`,
  );
  const needsIf = s.programs.some((p) => !p.off && ['xdp', 'tc', 'socket'].includes(p.kind));
  const usage = [
    `usage: ${s.name} [--duration SECONDS]${needsIf ? ' --ifname IF' : ''}${s.programs.some((p) => p.kind === 'perf_event') ? ' [--freq HZ]' : ''}`,
    ...s.knobs.map((k) => `  --${k.flag} VALUE   ${k.type} ${k.name} (default ${k.defaultText})`),
  ];
  return `static const struct option long_options[] = {
	{ "duration", required_argument, NULL, 'd' },
	{ "ifname", required_argument, NULL, 'i' },
	{ "freq", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
${knobOptions.join('\n')}
	{ 0 },
};

static void usage(FILE *f)
{
${usage.map((l) => `\tfprintf(f, "%s\\n", ${cString(l)});`).join('\n')}
}
`;
}

function mainCode(s: LoaderSpec): string {
  const name = skel(s);
  const rings = s.buffers.map((b, i) => ({ ...b, i })).filter((b) => !b.perf);
  const perfs = s.buffers.map((b, i) => ({ ...b, i })).filter((b) => b.perf);
  const attachManual = s.programs.filter(
    (p) => !p.off && ['xdp', 'tc', 'socket', 'perf_event', 'iter'].includes(p.kind),
  );
  return `int main(int argc, char **argv)
{
	struct ${name} *skel;
	double duration = 0;
	const char *ifname = NULL;
	int freq = ${RUN_DEFAULTS.perfFrequency}, err = 0, opt;
	struct ring_buffer *rb = NULL;
${perfs.map((b) => `\tstruct perf_buffer *pb_${b.i} = NULL;\n`).join('')}
	libbpf_set_print(print_libbpf);
	skel = ${name}__open();
	if (!skel) {
		fprintf(stderr, "cannot open the BPF object: %s\\n", strerror(errno));
		return 1;
	}
${knobDefaultsCode(s.knobs)}	while ((opt = getopt_long(argc, argv, "d:i:f:h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'd': duration = atof(optarg); break;
		case 'i': ifname = optarg; break;
		case 'f': freq = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
${s.knobs.map((k, i) => knobFlagCode(k, 1000 + i, name)).join('')}		default: usage(stderr); return 2;
		}
	}
	(void)ifname; (void)freq;
${s.programs
  .filter((p) => p.off)
  .map((p) => `\t/* ${p.off!.replace(/\*\//g, '* /')} */\n\tbpf_program__set_autoload(skel->progs.${p.name}, false);\n`)
  .join('')}${attachManual.map((p) => `\tbpf_program__set_autoattach(skel->progs.${p.name}, false);\n`).join('')}
	err = ${name}__load(skel);
	if (err) {
		fprintf(stderr, "cannot load the BPF object: %s (the verifier's log is above)\\n", strerror(-err));
		goto out;
	}
	err = ${name}__attach(skel);
	if (err) {
		fprintf(stderr, "cannot attach: %s\\n", strerror(-err));
		goto out;
	}
${attachManual.map((p) => attachCode(p)).join('')}
${
  s.printk || rings.length
    ? `\trb = ring_buffer__new(bpf_map__fd(skel->maps.${s.printk ? 'bpfplay_printk' : rings[0]!.map}), ${s.printk ? 'on_printk' : `on_${rings[0]!.i}`}, NULL, NULL);
	if (!rb) { err = -errno; fprintf(stderr, "cannot read the ring buffers: %s\\n", strerror(errno)); goto out; }
${rings
  .slice(s.printk ? 0 : 1)
  .map((b) => `\tring_buffer__add(rb, bpf_map__fd(skel->maps.${b.map}), on_${b.i}, NULL);\n`)
  .join('')}`
    : ''
}${perfs
    .map(
      (b) => `\tpb_${b.i} = perf_buffer__new(bpf_map__fd(skel->maps.${b.map}), 64, on_${b.i}, lost_${b.i}, NULL, NULL);
	if (!pb_${b.i}) { err = -errno; fprintf(stderr, "cannot read ${b.map}: %s\\n", strerror(errno)); goto out; }
`,
    )
    .join('')}${s.buffers.map((_b, i) => `\ttable_header(&table_${i});\n`).join('')}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	attached_ns = now_ns();
	fprintf(stderr, "${s.name}: running%s; Ctrl-C to stop\\n", duration > 0 ? " for the given duration" : "");
	while (!exiting) {
		if (duration > 0 && run_ms(now_ns()) >= duration * 1000)
			break;
		${s.printk || rings.length ? 'err = ring_buffer__poll(rb, 100);' : 'usleep(100000); err = 0;'}
${perfs.map((b) => `\t\tperf_buffer__poll(pb_${b.i}, 0);\n`).join('')}		if (err == -EINTR) { err = 0; break; }
		if (err < 0) { fprintf(stderr, "poll: %s\\n", strerror(-err)); break; }
		err = 0;
	}
	/* What is left in the buffers, then the maps, as the playground's last snapshot. */
	${s.printk || rings.length ? 'ring_buffer__consume(rb);' : ''}
${perfs.map((b) => `\tperf_buffer__consume(pb_${b.i});\n`).join('')}	{
		int ncpu = libbpf_num_possible_cpus();
		(void)ncpu;
${s.maps.map((m, i) => `\t\tprint_map_${i}(bpf_map__fd(skel->maps.${m.name}), ncpu);\n`).join('')}${s.globals.map(globalsCall).join('')}	}
out:
	ring_buffer__free(rb);
${perfs.map((b) => `\tperf_buffer__free(pb_${b.i});\n`).join('')}	cleanup_attachments();
	${name}__destroy(skel);
	return err ? 1 : 0;
}
`;
}

/** Programs libbpf cannot attach from their section alone: an interface, a socket, perf events, an iterator. */
function attachCode(p: LoaderSpec['programs'][number]): string {
  const prog = `skel->progs.${p.name}`;
  switch (p.kind) {
    case 'xdp':
      return `\tif (!attach_xdp(${prog}, ifname)) { err = -1; goto out; }\n`;
    case 'tc':
      return `\tif (!attach_tc(${prog}, ifname, ${/egress/.test(p.section) ? 'BPF_TC_EGRESS' : 'BPF_TC_INGRESS'})) { err = -1; goto out; }\n`;
    case 'socket':
      return `\tif (!attach_socket(${prog}, ifname)) { err = -1; goto out; }\n`;
    case 'perf_event':
      return `\tif (!attach_perf_event(${prog}, freq)) { err = -1; goto out; }\n`;
    case 'iter':
      return `\tif (!run_iter(${prog})) { err = -1; goto out; }\n`;
    default:
      return '';
  }
}
