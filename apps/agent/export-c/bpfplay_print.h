/* SPDX-License-Identifier: (Apache-2.0 OR BSD-2-Clause) */
/*
 * How the playground prints records and maps, in C, for the loader bpfplay generated next to it.
 * The rules are the playground's decoding model (packages/protocol/src/decode in bpfplay):
 *   - integers in decimal; one that a double cannot hold exactly is a JSON string ("18446744073709551615")
 *   - char arrays as C strings: stop at NUL, printable ASCII and valid UTF-8 kept, `\` as `\\`,
 *     anything else as \xNN
 *   - pointers as 0x..., bools as true/false, enums by name
 *   - arrays and structs as compact JSON ([1,2], {"a":1})
 * and the event table of `bpfplay run`: a header of upper-case field names, then one row per record,
 * columns as wide as their C type usually needs, widening when a longer value arrives, numbers on
 * the right, the last column never padded.
 */
#ifndef BPFPLAY_PRINT_H
#define BPFPLAY_PRINT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string: cells are rendered first, then padded to their column's width. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static __attribute__((unused)) void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static __attribute__((unused)) void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s)
			return;
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* 2^53 - 1: past it a JavaScript number is not exact, so the playground writes a string. */
#define BPFPLAY_MAX_SAFE 9007199254740991ULL

static __attribute__((unused)) uint64_t read_le(const unsigned char *p, int size)
{
	uint64_t v = 0;
	for (int i = size - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static __attribute__((unused)) int64_t sign_extend(uint64_t v, int bits)
{
	if (bits >= 64)
		return (int64_t)v;
	uint64_t m = 1ULL << (bits - 1);
	v &= (1ULL << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

static __attribute__((unused)) void put_unsigned(struct sbuf *b, uint64_t v, bool json)
{
	if (json && v > BPFPLAY_MAX_SAFE)
		sb_printf(b, "\"%llu\"", (unsigned long long)v);
	else
		sb_printf(b, "%llu", (unsigned long long)v);
}

static __attribute__((unused)) void put_signed(struct sbuf *b, int64_t v, bool json)
{
	bool unsafe = v > (int64_t)BPFPLAY_MAX_SAFE || v < -(int64_t)BPFPLAY_MAX_SAFE;
	if (json && unsafe)
		sb_printf(b, "\"%lld\"", (long long)v);
	else
		sb_printf(b, "%lld", (long long)v);
}

/* An integer of 1, 2, 4 or 8 bytes, little-endian, as the playground prints it. */
static __attribute__((unused)) void put_int(struct sbuf *b, const unsigned char *p, int size, bool is_signed, bool json)
{
	uint64_t u = read_le(p, size);
	if (is_signed)
		put_signed(b, sign_extend(u, size * 8), json);
	else
		put_unsigned(b, u, json);
}

static __attribute__((unused)) void put_bool(struct sbuf *b, const unsigned char *p, int size)
{
	for (int i = 0; i < size; i++)
		if (p[i]) {
			sb_printf(b, "true");
			return;
		}
	sb_printf(b, "false");
}

/* `bits` bits from bit `bit` of p (little-endian numbering), at most 64. */
static __attribute__((unused)) uint64_t read_bits(const unsigned char *p, int bit, int bits)
{
	int first = bit / 8, last = (bit + bits + 7) / 8;
	unsigned __int128 w = 0;
	for (int i = last - 1; i >= first; i--)
		w = (w << 8) | p[i];
	w >>= bit - first * 8;
	return bits >= 64 ? (uint64_t)w : (uint64_t)w & ((1ULL << bits) - 1);
}

static __attribute__((unused)) void put_ptr(struct sbuf *b, const unsigned char *p)
{
	sb_printf(b, "0x%llx", (unsigned long long)read_le(p, 8));
}

/* The shortest %g that reads back as the same double: what JavaScript prints. */
static __attribute__((unused)) void put_float(struct sbuf *b, double x)
{
	char tmp[40];
	if (x != x) {
		sb_printf(b, "\"NaN\"");
		return;
	}
	if (x > 1.7976931348623157e308 || x < -1.7976931348623157e308) {
		sb_printf(b, x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	sb_printf(b, "%s", tmp);
}

/* Length of the valid UTF-8 sequence starting at p (2 to 4 bytes), or 0. */
static __attribute__((unused)) int utf8_len(const unsigned char *p, int avail)
{
	int n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	if (!n || n > avail)
		return 0;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (p[0] == 0xe0 && p[1] < 0xa0)
		return 0; /* overlong */
	if (p[0] == 0xed && p[1] >= 0xa0)
		return 0; /* surrogate */
	if (p[0] == 0xf0 && p[1] < 0x90)
		return 0;
	if (p[0] == 0xf4 && p[1] >= 0x90)
		return 0;
	return n;
}

/* A char array as a C string; `json` quotes it and escapes `"` and `\` once more, as JSON.stringify does. */
static __attribute__((unused)) void put_chars(struct sbuf *b, const unsigned char *p, int n, bool json)
{
	if (json)
		sb_printf(b, "\"");
	for (int i = 0; i < n && p[i]; i++) {
		unsigned char c = p[i];
		int u;
		if (c == '\\')
			sb_printf(b, json ? "\\\\\\\\" : "\\\\");
		else if (c == '"' && json)
			sb_printf(b, "\\\"");
		else if (c >= 0x20 && c < 0x7f)
			sb_printf(b, "%c", c);
		else if ((u = utf8_len(p + i, n - i)) > 0) {
			sb_printf(b, "%.*s", u, (const char *)p + i);
			i += u - 1;
		} else
			sb_printf(b, json ? "\\\\x%02x" : "\\x%02x", c);
	}
	if (json)
		sb_printf(b, "\"");
}

/* What could not be decoded: its bytes and the reason, as the playground's {$hex, $error}. */
static __attribute__((unused)) void put_undecodable(struct sbuf *b, const unsigned char *p, int n, const char *why)
{
	sb_printf(b, "{\"$hex\":\"");
	for (int i = 0; i < n; i++)
		sb_printf(b, "%02x", p[i]);
	sb_printf(b, "\",\"$error\":\"%s\"}", why);
}

/* The event table: one per ring or perf buffer. */
struct table {
	int ncols;
	const char *const *headers; /* upper-case field names */
	int *widths;
	const bool *numeric;
	bool prefix;		    /* more than one buffer: each line starts with the source */
	const char *source;
	int source_width;
};

static __attribute__((unused)) bool looks_numeric(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (!*p)
		return false;
	bool dot = false;
	for (; *p; p++) {
		if (*p == '.' && !dot && p[1])
			dot = true;
		else if (*p < '0' || *p > '9')
			return false;
	}
	return true;
}

static __attribute__((unused)) void table_line(struct table *t, const char *time, char **cells)
{
	if (t->prefix)
		printf("%-*s ", t->source_width, t->source);
	/* "TIME(s)" is 7 characters; the time is right-aligned one wider, as the CLI does. */
	printf("%8s", time);
	for (int i = 0; i < t->ncols; i++) {
		const char *c = cells[i];
		int len = (int)strlen(c);
		bool last = i == t->ncols - 1;
		if (!last && len > t->widths[i])
			t->widths[i] = len;
		if (last)
			printf(" %s", c);
		else if (t->numeric[i] || looks_numeric(c))
			printf(" %*s", t->widths[i], c);
		else
			printf(" %-*s", t->widths[i], c);
	}
	printf("\n");
}

static __attribute__((unused)) void table_header(struct table *t)
{
	if (t->prefix)
		printf("%-*s ", t->source_width, "SOURCE");
	printf("%8s", "TIME(s)");
	for (int i = 0; i < t->ncols; i++) {
		bool last = i == t->ncols - 1;
		if (last)
			printf(" %s", t->headers[i]);
		else if (t->numeric[i])
			printf(" %*s", t->widths[i], t->headers[i]);
		else
			printf(" %-*s", t->widths[i], t->headers[i]);
	}
	printf("\n");
}

/* Cells hold no newline or tab: the CLI turns them into spaces. */
static __attribute__((unused)) void table_row(struct table *t, double ms, struct sbuf *cells)
{
	char time[32];
	char *texts[64];
	snprintf(time, sizeof(time), "%.3f", ms / 1000);
	for (int i = 0; i < t->ncols && i < 64; i++) {
		for (size_t j = 0; j < cells[i].len; j++)
			if (cells[i].s[j] == '\n' || cells[i].s[j] == '\r' || cells[i].s[j] == '\t')
				cells[i].s[j] = ' ';
		texts[i] = cells[i].s ? cells[i].s : (char *)"";
	}
	table_line(t, time, texts);
	fflush(stdout);
}

/* A log2 histogram as bpftrace prints one (and `bpfplay run` at the end of a run). */
static __attribute__((unused)) void print_log2_hist(const char *name, const unsigned long long *counts, int n, const char *unit)
{
	int lo = -1, hi = -1;
	unsigned long long max = 0;

	printf("  @%s%s%s%s:\n", name, unit ? " (" : "", unit ? unit : "", unit ? ")" : "");
	for (int i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		if (counts[i] > max)
			max = counts[i];
	}
	if (lo < 0) {
		printf("  (all buckets are zero)\n");
		return;
	}
	for (int i = lo; i <= hi; i++) {
		char label[64], a[24], b[24];
		unsigned long long l = i == 0 ? 0 : 1ULL << i, h = 1ULL << (i + 1);
		const char *suffix = "KMGT";
		unsigned long long v[2] = { l, h };
		char *out[2] = { a, b };
		for (int k = 0; k < 2; k++) {
			int s = -1;
			unsigned long long x = v[k];
			while (x >= 1024 && x % 1024 == 0 && s < 3) {
				x /= 1024;
				s++;
			}
			if (s >= 0)
				snprintf(out[k], 24, "%llu%c", x, suffix[s]);
			else
				snprintf(out[k], 24, "%llu", x);
		}
		snprintf(label, sizeof(label), "[%s, %s)", a, b);
		int bar = (int)((52.0 * counts[i]) / max + 0.5);
		printf("  %-16s %8llu |", label, counts[i]);
		for (int k = 0; k < 52; k++)
			putchar(k < bar ? '@' : ' ');
		printf("|\n");
	}
}

#endif /* BPFPLAY_PRINT_H */
