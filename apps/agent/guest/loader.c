// SPDX-License-Identifier: MIT
/*
 * bpfplay-guest: the loader inside a kernel-matrix microVM. It gets one compiled object from the agent
 * over a virtio-serial port, loads it with libbpf on the guest's kernel, attaches it, and streams back
 * what the kernel produces as raw bytes: ring and perf buffer records, map entries, verifier logs. It
 * decides nothing the agent's host runner decides: which programs are switched off, map sizes and
 * parameters arrive as settings, and every byte is decoded by the agent with the object's BTF, exactly
 * as for runs on the host. One object per boot: the VM is thrown away after the run.
 *
 * Built static (libbpf.a, libelf, zlib, zstd) by guest/build.sh; `bpfplay-guest --tsc-khz` run on the
 * host measures the TSC frequency the guest kernel is told (under TCG the guest reads the host's TSC).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "wire.h"

#define MAX_PROGS 64
#define MAX_MAPS 256
#define STATS_LOG_SIZE (64 * 1024)
#define FULL_LOG_SIZE (4 << 20)
#define ITER_MAX (1 << 20)

static int chan = -1;

/* ---- output: messages are gathered and written once per loop turn ---- */
static char *out;
static size_t out_len, out_cap;

static void flush_out(void) {
  size_t off = 0;
  while (off < out_len) {
    ssize_t n = write(chan, out + off, out_len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3); /* the host is gone: nothing left to do */
    off += (size_t)n;
  }
  out_len = 0;
}

static void reserve(size_t n) {
  if (out_len + n <= out_cap) return;
  if (out_len > 0 && out_len + n > (1 << 20)) flush_out();
  if (out_len + n <= out_cap) return;
  out_cap = (out_len + n) * 2;
  out = realloc(out, out_cap);
  if (!out) _exit(4);
}

static void put(const void *p, size_t n) {
  reserve(n);
  memcpy(out + out_len, p, n);
  out_len += n;
}
static void put_u8(uint8_t v) { put(&v, 1); }
static void put_u16(uint16_t v) { put(&v, 2); }
static void put_u32(uint32_t v) { put(&v, 4); }
static void put_u64(uint64_t v) { put(&v, 8); }
static void put_str(const char *s) { put(s, strlen(s) + 1); }
static void put_text(const char *s) { put(s, strlen(s)); }

/* A message is begun with its kind and ended once its payload is in: the length is patched in. */
static size_t msg_at;
static void begin(uint8_t kind) {
  reserve(5);
  msg_at = out_len;
  out_len += 4;
  put_u8(kind);
}
static void end(void) {
  uint32_t len = (uint32_t)(out_len - msg_at - 4);
  memcpy(out + msg_at, &len, 4);
}

static void failed(const char *stage, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  begin(FROM_FAILED);
  put_str(stage);
  put_text(msg);
  end();
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- input ---- */
static void read_full(void *p, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t r = read(chan, (char *)p + off, n - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) _exit(5);
    off += (size_t)r;
  }
}

/* One message from the host; the caller frees *payload. */
static uint8_t next_message(uint8_t **payload, uint32_t *len) {
  uint32_t n;
  uint8_t kind;
  read_full(&n, 4);
  if (n == 0 || n > (256u << 20)) _exit(6);
  read_full(&kind, 1);
  *len = n - 1;
  *payload = malloc(*len + 1);
  if (!*payload) _exit(4);
  read_full(*payload, *len);
  (*payload)[*len] = 0; /* strings may run to the end */
  return kind;
}

/* ---- settings from the host ---- */
struct named_bytes {
  char *name;
  uint8_t *bytes;
  uint32_t len;
  uint32_t a, b;
};
static uint8_t *object;
static uint32_t object_len;
static char object_name[128] = "snippet";
static struct named_bytes skips[MAX_PROGS], modes[MAX_PROGS], initials[16], resizes[MAX_MAPS];
static int n_skips, n_modes, n_initials, n_resizes;
static uint32_t perf_hz = 49, map_interval_ms = 1000, max_entries_sent = 512;

static uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static void read_settings(void) {
  for (;;) {
    uint8_t *p;
    uint32_t n;
    uint8_t kind = next_message(&p, &n);
    switch (kind) {
      case TO_OBJECT:
        object = p;
        object_len = n;
        continue;
      case TO_NAME:
        snprintf(object_name, sizeof object_name, "%s", (char *)p);
        break;
      case TO_SKIP:
        if (n_skips < MAX_PROGS) skips[n_skips++].name = strdup((char *)p);
        break;
      case TO_MODE:
        if (n_modes < MAX_PROGS && n >= 1) {
          modes[n_modes].a = p[0];
          modes[n_modes++].name = strdup((char *)p + 1);
        }
        break;
      case TO_INITIAL: {
        size_t k = strnlen((char *)p, n);
        if (n_initials < 16 && k < n) {
          struct named_bytes *x = &initials[n_initials++];
          x->name = strdup((char *)p);
          x->len = n - (uint32_t)k - 1;
          x->bytes = malloc(x->len + 1);
          memcpy(x->bytes, p + k + 1, x->len);
        }
        break;
      }
      case TO_RESIZE:
        if (n_resizes < MAX_MAPS && n >= 8) {
          resizes[n_resizes].a = rd32(p);
          resizes[n_resizes].b = rd32(p + 4);
          resizes[n_resizes++].name = strdup((char *)p + 8);
        }
        break;
      case TO_CONFIG:
        if (n >= 12) {
          perf_hz = rd32(p) ? rd32(p) : perf_hz;
          map_interval_ms = rd32(p + 4) ? rd32(p + 4) : map_interval_ms;
          max_entries_sent = rd32(p + 8);
        }
        break;
      case TO_GO:
        free(p);
        return;
      case TO_QUIT:
        _exit(0);
      default:
        break;
    }
    free(p);
  }
}

static int listed(struct named_bytes *list, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(list[i].name, name) == 0) return i;
  return -1;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- libbpf's messages ---- */
static char *liblog;
static size_t liblog_len;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap) {
  (void)level;
  char line[4096];
  int n = vsnprintf(line, sizeof line, fmt, ap);
  if (n <= 0) return 0;
  if ((size_t)n >= sizeof line) n = sizeof line - 1;
  char *grown = realloc(liblog, liblog_len + (size_t)n + 1);
  if (!grown) return 0;
  liblog = grown;
  memcpy(liblog + liblog_len, line, (size_t)n);
  liblog_len += (size_t)n;
  liblog[liblog_len] = 0;
  return 0;
}

static void send_liblog(void) {
  if (!liblog_len) return;
  begin(FROM_LOG);
  put(liblog, liblog_len);
  end();
  liblog_len = 0;
}

/* ---- open and load ---- */
static char *logbufs[MAX_PROGS];

static struct bpf_object *open_object(const char *full_log_prog) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = object_name);
  struct bpf_object *obj = bpf_object__open_mem(object, object_len, &opts);
  if (!obj) return NULL;
  struct bpf_program *prog;
  int i = 0;
  bpf_object__for_each_program(prog, obj) {
    const char *name = bpf_program__name(prog);
    if (listed(skips, n_skips, name) >= 0) bpf_program__set_autoload(prog, false);
    if (i < MAX_PROGS && bpf_program__autoload(prog)) {
      int full = full_log_prog && strcmp(full_log_prog, name) == 0;
      size_t size = full ? FULL_LOG_SIZE : STATS_LOG_SIZE;
      free(logbufs[i]);
      logbufs[i] = calloc(1, size);
      bpf_program__set_log_buf(prog, logbufs[i], size);
      bpf_program__set_log_level(prog, full ? 5 : 4); /* 4: statistics; 1|4: the trace with source lines */
    }
    i++;
  }
  struct bpf_map *map;
  bpf_object__for_each_map(map, obj) {
    int r = listed(resizes, n_resizes, bpf_map__name(map));
    if (r >= 0) {
      if (resizes[r].a) bpf_map__set_max_entries(map, resizes[r].a);
      if (resizes[r].b) bpf_map__set_value_size(map, resizes[r].b);
    }
    for (int k = 0; k < n_initials; k++)
      if (ends_with(bpf_map__name(map), initials[k].name))
        bpf_map__set_initial_value(map, initials[k].bytes, initials[k].len);
  }
  return obj;
}

static const char *failed_program(void) {
  static char name[256];
  const char *p = liblog ? strstr(liblog, "': BPF program load failed") : NULL;
  if (!p) return NULL;
  const char *q = p;
  while (q > liblog && q[-1] != '\'') q--;
  size_t n = (size_t)(p - q);
  if (n >= sizeof name) return NULL;
  memcpy(name, q, n);
  name[n] = 0;
  return name;
}

/* The failing program again, in a fresh object, with the whole trace: the first load only asked for stats. */
static void explain_failure(const char *prog_name) {
  size_t saved = liblog_len;
  struct bpf_object *obj = open_object(prog_name);
  if (obj) {
    bpf_object__load(obj);
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, prog_name);
    size_t log_size = 0;
    const char *log = prog ? bpf_program__log_buf(prog, &log_size) : NULL;
    begin(FROM_VERIFIER);
    put_u8(0);
    put_u8(log && strlen(log) >= FULL_LOG_SIZE - 1);
    put_str(prog_name);
    put_text(log ? log : "");
    end();
    bpf_object__close(obj);
  }
  liblog_len = saved; /* the second load's messages repeat the first's */
  failed("verifier", "%s", prog_name);
}

static void describe_loaded(struct bpf_object *obj) {
  struct bpf_program *prog;
  int i = 0;
  bpf_object__for_each_program(prog, obj) {
    int loaded = bpf_program__autoload(prog);
    uint32_t jited = 0;
    if (loaded) {
      struct bpf_prog_info info = {0};
      uint32_t len = sizeof info;
      if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0) jited = info.jited_prog_len;
      const char *log = i < MAX_PROGS && logbufs[i] ? logbufs[i] : "";
      begin(FROM_VERIFIER);
      put_u8(1);
      put_u8(0);
      put_str(bpf_program__name(prog));
      put_text(log);
      end();
    }
    begin(FROM_PROGRAM);
    put_u8((uint8_t)loaded);
    put_u32((uint32_t)bpf_program__insn_cnt(prog));
    put_u32(jited);
    put_str(bpf_program__name(prog));
    put_text(bpf_program__section_name(prog));
    end();
    i++;
  }
  struct bpf_map *map;
  uint16_t idx = 0;
  bpf_object__for_each_map(map, obj) {
    begin(FROM_MAP);
    put_u16(idx++);
    put_u32(bpf_map__type(map));
    put_u32(bpf_map__key_size(map));
    put_u32(bpf_map__value_size(map));
    put_u32(bpf_map__max_entries(map));
    put_u32(bpf_map__map_flags(map));
    put_text(bpf_map__name(map));
    end();
  }
}

/* ---- attach ---- */
static struct bpf_link *links[MAX_PROGS * 8];
static int n_links;

static void link_result(const char *prog, int ok, const char *target, const char *fmt, ...) {
  char msg[512] = "";
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
  }
  begin(FROM_LINK);
  put_u8((uint8_t)ok);
  put_str(prog);
  put_str(target);
  put_text(msg);
  end();
}

static void run_iterator(struct bpf_program *prog, struct bpf_link *link) {
  int fd = bpf_iter_create(bpf_link__fd(link));
  if (fd < 0) return;
  char *text = malloc(ITER_MAX + 1);
  size_t len = 0;
  ssize_t n;
  while (text && len < ITER_MAX && (n = read(fd, text + len, ITER_MAX - len)) > 0) len += (size_t)n;
  close(fd);
  begin(FROM_ITER);
  put_str(bpf_program__name(prog));
  if (text) put(text, len);
  end();
  free(text);
}

static int attach_perf_event(struct bpf_program *prog) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  for (int cpu = 0; cpu < cpus; cpu++) {
    struct perf_event_attr attr = {
        .type = PERF_TYPE_SOFTWARE,
        .size = sizeof attr,
        .config = PERF_COUNT_SW_CPU_CLOCK,
        .freq = 1,
        .sample_freq = perf_hz,
    };
    int fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) return -errno;
    struct bpf_link *l = bpf_program__attach_perf_event(prog, fd);
    if (!l) {
      int e = -errno;
      close(fd);
      return e;
    }
    links[n_links++] = l;
  }
  return 0;
}

static int attach_all(struct bpf_object *obj) {
  struct bpf_program *prog;
  int ok = 0;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__autoload(prog)) continue;
    const char *name = bpf_program__name(prog);
    const char *section = bpf_program__section_name(prog);
    const char *slash = strchr(section, '/');
    const char *target = slash ? slash + 1 : section;
    int m = listed(modes, n_modes, name);
    int mode = m >= 0 ? (int)modes[m].a : 0;
    size_t mark = liblog_len;
    if (n_links >= MAX_PROGS * 8 - 8) {
      link_result(name, 0, target, "too many links");
      continue;
    }
    if (mode == MODE_PERF_EVENT) {
      int e = attach_perf_event(prog);
      char what[96];
      snprintf(what, sizeof what, "cpu-clock %u Hz on %ld CPUs", perf_hz, sysconf(_SC_NPROCESSORS_ONLN));
      if (e == 0) {
        link_result(name, 1, what, NULL);
        ok++;
      } else
        link_result(name, 0, what, "%s", strerror(-e));
      continue;
    }
    struct bpf_link *l = mode == MODE_ITER ? bpf_program__attach_iter(prog, NULL) : bpf_program__attach(prog);
    if (!l) {
      int e = errno;
      /* libbpf's last complaint says more than errno ("failed to create kprobe ..."). */
      const char *why = liblog_len > mark ? liblog + mark : "";
      link_result(name, 0, target, "%s%s%.300s", strerror(e), *why ? ": " : "", why);
      continue;
    }
    links[n_links++] = l;
    link_result(name, 1, target, mode == MODE_ITER ? "iterator ready" : NULL);
    ok++;
    if (mode == MODE_ITER) run_iterator(prog, l);
  }
  return ok;
}

/* ---- streams ---- */
static int record_cb(void *ctx, void *data, size_t size) {
  begin(FROM_RECORD);
  put_u16((uint16_t)(uintptr_t)ctx);
  put(data, size);
  end();
  return 0;
}

struct perf_ctx {
  uint16_t idx;
};
static void sample_cb(void *ctx, int cpu, void *data, uint32_t size) {
  begin(FROM_SAMPLE);
  put_u16(((struct perf_ctx *)ctx)->idx);
  put_u32((uint32_t)cpu);
  put(data, size);
  end();
}
static void lost_cb(void *ctx, int cpu, __u64 n) {
  (void)cpu;
  begin(FROM_LOST);
  put_u16(((struct perf_ctx *)ctx)->idx);
  put_u64(n);
  end();
}

/*
 * The guest's trace buffer, read into the run's printk stream. On Linux < 5.13 the playground's
 * bpf_printk falls back to bpf_trace_printk (no bpf_snprintf there; include/bpf/bpf_helpers.h), and
 * a guest's trace buffer holds only its run's lines, so each line becomes a record of the object's
 * `bpfplay_printk` ring as if bpf_snprintf had written it: the host decodes both the same way.
 * /init sets trace_clock to `mono`, bpf_ktime_get_ns's clock, so the times line up with ring records.
 */
struct printk_record {
  uint64_t ts_ns;
  uint32_t cpu;
  uint32_t len;
  char msg[240];
};
_Static_assert(sizeof(struct printk_record) == 256, "the printk record of include/bpf/bpf_helpers.h");

static int trace_fd = -1;
static int printk_map = -1;
static char trace_buf[8192];
static size_t trace_len;

/* `   <comm>-<pid>  [cpu] flags  secs.usecs: bpf_trace_printk: message` */
static void trace_line(char *line) {
  static const char tag[] = ": bpf_trace_printk: ";
  char *at = strstr(line, tag);
  if (!at) return; /* not a bpf_trace_printk line (another event someone enabled) */
  *at = 0;
  const char *msg = at + sizeof(tag) - 1;
  const char *ts = strrchr(line, ' ');
  ts = ts ? ts + 1 : line;
  unsigned long sec = 0, usec = 0;
  sscanf(ts, "%lu.%lu", &sec, &usec);
  unsigned long cpu = 0;
  for (char *b = strchr(line, '['); b; b = strchr(b + 1, '[')) {
    char *end;
    unsigned long v = strtoul(b + 1, &end, 10);
    if (end > b + 1 && *end == ']') {
      cpu = v;
      break;
    }
  }
  struct printk_record rec;
  memset(&rec, 0, sizeof rec);
  rec.ts_ns = (uint64_t)sec * 1000000000ull + (uint64_t)usec * 1000ull;
  rec.cpu = (uint32_t)cpu;
  size_t n = strlen(msg);
  rec.len = (uint32_t)(n + 1); /* bpf_snprintf's count: what it wanted to write, NUL included */
  memcpy(rec.msg, msg, n < sizeof rec.msg - 1 ? n : sizeof rec.msg - 1);
  record_cb((void *)(uintptr_t)printk_map, &rec, sizeof rec);
}

static void read_trace(void) {
  if (trace_fd < 0) return;
  for (;;) {
    ssize_t n = read(trace_fd, trace_buf + trace_len, sizeof trace_buf - 1 - trace_len);
    if (n <= 0) return; /* EAGAIN: nothing more now */
    trace_len += (size_t)n;
    trace_buf[trace_len] = 0;
    char *start = trace_buf, *nl;
    while ((nl = strchr(start, '\n'))) {
      *nl = 0;
      trace_line(start);
      start = nl + 1;
    }
    trace_len -= (size_t)(start - trace_buf);
    memmove(trace_buf, start, trace_len);
    /* A line longer than the buffer is cut: keep reading rather than stall. */
    if (trace_len == sizeof trace_buf - 1) {
      trace_line(trace_buf);
      trace_len = 0;
    }
  }
}

static void open_trace(struct bpf_object *obj) {
  struct bpf_map *map;
  int idx = 0;
  bpf_object__for_each_map(map, obj) {
    if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF && ends_with(bpf_map__name(map), "bpfplay_printk")) printk_map = idx;
    idx++;
  }
  if (printk_map < 0) return;
  trace_fd = open("/sys/kernel/tracing/trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (trace_fd < 0) trace_fd = open("/sys/kernel/debug/tracing/trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

static int snapshotable(enum bpf_map_type t) {
  switch (t) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_STACK_TRACE:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
      return 1;
    default:
      return 0;
  }
}

static void snapshot(struct bpf_object *obj) {
  begin(FROM_SNAPSHOT);
  put_u64(now_ns());
  end();
  struct bpf_map *map;
  uint16_t idx = 0;
  int cpus = libbpf_num_possible_cpus();
  bpf_object__for_each_map(map, obj) {
    uint16_t i = idx++;
    enum bpf_map_type t = bpf_map__type(map);
    if (!snapshotable(t) || ends_with(bpf_map__name(map), ".kconfig")) continue;
    int fd = bpf_map__fd(map);
    uint32_t ks = bpf_map__key_size(map), vs = bpf_map__value_size(map);
    int percpu = t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
    size_t vsize = percpu ? (size_t)((vs + 7) / 8 * 8) * (size_t)cpus : vs;
    uint8_t *key = calloc(1, ks + 1), *next = calloc(1, ks + 1), *val = calloc(1, vsize + 1);
    uint32_t sent = 0, more = 0;
    int err = 0, first = 1;
    while (key && next && val) {
      if (bpf_map_get_next_key(fd, first ? NULL : key, next) != 0) {
        if (errno != ENOENT) err = -errno;
        break;
      }
      first = 0;
      memcpy(key, next, ks);
      if (sent >= max_entries_sent) {
        more++;
        continue;
      }
      if (bpf_map_lookup_elem(fd, key, val) != 0) continue; /* deleted meanwhile */
      begin(FROM_ENTRY);
      put_u16(i);
      put_u32(ks);
      put(key, ks);
      put(val, vsize);
      end();
      sent++;
    }
    begin(FROM_MAP_END);
    put_u16(i);
    put_u32(more);
    put_u32((uint32_t)err);
    end();
    free(key);
    free(next);
    free(val);
  }
  begin(FROM_SNAP_END);
  end();
}

/* Sends what the programs wrote since the last call: the guest clock first (FROM_NOW: the records that
 * follow were read then), then ring and perf buffer records and printk lines. */
static void drain(struct ring_buffer *rb, struct perf_buffer **pbs, int n_pb) {
  begin(FROM_NOW);
  put_u64(now_ns());
  end();
  if (rb) ring_buffer__consume(rb);
  for (int k = 0; k < n_pb; k++) perf_buffer__consume(pbs[k]);
  read_trace();
}

/*
 * The guest kernel's symbols, for the host to name stack frames with: Debian's System.map is a stub
 * (the real one is in the -dbg package), and the vmlinux setup extracts is stripped. Only text
 * symbols (stacks hold return addresses), compressed: 6.1's are ~3 MB as text, ~0.6 MB deflated.
 * Read after load, so the run's own programs (`bpf_prog_...`) are in it too.
 */
static void send_kallsyms(void) {
  FILE *f = fopen("/proc/kallsyms", "r");
  size_t cap = 4 << 20, len = 0;
  char *text = malloc(cap), line[512];
  if (!f || !text) {
    begin(FROM_KSYMS);
    put_u32(0);
    end();
    if (f) fclose(f);
    free(text);
    return;
  }
  while (fgets(line, sizeof line, f)) {
    char *sp = strchr(line, ' ');
    if (!sp || !strchr("tTwW", sp[1]) || sp[2] != ' ') continue;
    size_t n = strlen(line);
    if (len + n > cap) {
      char *bigger = realloc(text, cap *= 2);
      if (!bigger) break;
      text = bigger;
    }
    memcpy(text + len, line, n);
    len += n;
  }
  fclose(f);
  uLongf zlen = compressBound(len);
  Bytef *z = malloc(zlen);
  if (z && compress2(z, &zlen, (Bytef *)text, len, 1) == Z_OK) {
    begin(FROM_KSYMS);
    put_u32((uint32_t)len);
    put(z, zlen);
    end();
  }
  free(z);
  free(text);
}

static void run(void) {
  libbpf_set_print(print_fn);
  uint64_t t0 = now_ns();
  struct bpf_object *obj = open_object(NULL);
  if (!obj) {
    int e = errno;
    send_liblog();
    failed("open", "libbpf could not open the object: %s", strerror(e));
    return;
  }
  if (bpf_object__load(obj) != 0) {
    int e = errno;
    const char *prog = failed_program();
    char name[256];
    snprintf(name, sizeof name, "%s", prog ? prog : "");
    send_liblog();
    if (*name)
      explain_failure(name);
    else
      failed("load", "libbpf could not load the object: %s", strerror(e));
    bpf_object__close(obj);
    return;
  }
  send_liblog();
  describe_loaded(obj);
  begin(FROM_LOADED);
  put_u32((uint32_t)((now_ns() - t0) / 1000));
  end();
  flush_out();

  uint64_t a0 = now_ns();
  int attached = attach_all(obj);
  send_liblog();
  begin(FROM_ATTACHED);
  put_u64(now_ns());
  put_u32((uint32_t)((now_ns() - a0) / 1000));
  end();
  if (attached == 0) {
    failed("attach", "no program could be attached");
    flush_out();
    bpf_object__close(obj);
    return;
  }

  struct ring_buffer *rb = NULL;
  struct perf_buffer *pbs[16];
  struct perf_ctx pctx[16];
  int n_pb = 0;
  struct bpf_map *map;
  uint16_t idx = 0;
  bpf_object__for_each_map(map, obj) {
    uint16_t i = idx++;
    if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF) {
      if (!rb)
        rb = ring_buffer__new(bpf_map__fd(map), record_cb, (void *)(uintptr_t)i, NULL);
      else
        ring_buffer__add(rb, bpf_map__fd(map), record_cb, (void *)(uintptr_t)i);
    } else if (bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY && n_pb < 16) {
      pctx[n_pb].idx = i;
      struct perf_buffer *pb = perf_buffer__new(bpf_map__fd(map), 64, sample_cb, lost_cb, &pctx[n_pb], NULL);
      if (pb) pbs[n_pb++] = pb;
    }
  }
  open_trace(obj);
  snapshot(obj);
  flush_out();

  int only_iterators = 1;
  struct bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__autoload(prog)) continue;
    int m = listed(modes, n_modes, bpf_program__name(prog));
    if (m < 0 || modes[m].a != MODE_ITER) only_iterators = 0;
  }

  uint64_t next_snap = now_ns() + (uint64_t)map_interval_ms * 1000000ull;
  int quit = only_iterators;
  while (!quit) {
    struct pollfd fds[19];
    int nfds = 0;
    fds[nfds++] = (struct pollfd){.fd = chan, .events = POLLIN};
    if (trace_fd >= 0) fds[nfds++] = (struct pollfd){.fd = trace_fd, .events = POLLIN};
    if (rb) fds[nfds++] = (struct pollfd){.fd = ring_buffer__epoll_fd(rb), .events = POLLIN};
    for (int k = 0; k < n_pb; k++) fds[nfds++] = (struct pollfd){.fd = perf_buffer__epoll_fd(pbs[k]), .events = POLLIN};
    uint64_t t = now_ns();
    int wait_ms = next_snap > t ? (int)((next_snap - t) / 1000000ull) : 0;
    /* Records are sent at most every 10 ms: the host makes ~60 frames a second of them anyway. */
    poll(fds, (nfds_t)nfds, wait_ms < 0 ? 0 : wait_ms);
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      uint8_t *p;
      uint32_t n;
      uint8_t kind = next_message(&p, &n);
      free(p);
      if (kind == TO_QUIT) quit = 1;
      if (kind == TO_KSYMS) send_kallsyms();
    }
    drain(rb, pbs, n_pb);
    if (now_ns() >= next_snap) {
      snapshot(obj);
      next_snap = now_ns() + (uint64_t)map_interval_ms * 1000000ull;
    }
    flush_out();
    if (!quit) usleep(10000);
  }
  /* Detach first: what the programs wrote up to here is drained below, nothing after. */
  for (int k = 0; k < n_links; k++) bpf_link__destroy(links[k]);
  drain(rb, pbs, n_pb);
  snapshot(obj);
  ring_buffer__free(rb);
  for (int k = 0; k < n_pb; k++) perf_buffer__free(pbs[k]);
  bpf_object__close(obj);
  flush_out();
}

static int tsc_khz(void) {
#if defined(__x86_64__)
  struct timespec a, b;
  unsigned lo, hi;
  clock_gettime(CLOCK_MONOTONIC_RAW, &a);
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  uint64_t t0 = ((uint64_t)hi << 32) | lo;
  usleep(50000);
  clock_gettime(CLOCK_MONOTONIC_RAW, &b);
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  uint64_t t1 = ((uint64_t)hi << 32) | lo;
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("%.0f\n", (double)(t1 - t0) / ns * 1e6);
  return 0;
#else
  return 1;
#endif
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--tsc-khz") == 0) return tsc_khz();
  const char *path = argc > 1 ? argv[1] : "/dev/vport0p1";
  /* The port's device node can appear a moment before the port accepts opens (ENXIO): retry for 2 s. */
  for (int i = 0; i < 200; i++) {
    chan = open(path, O_RDWR | O_CLOEXEC);
    if (chan >= 0 || (errno != ENXIO && errno != ENOENT)) break;
    usleep(10000);
  }
  if (chan < 0) {
    fprintf(stderr, "bpfplay-guest: cannot open %s: %s\n", path, strerror(errno));
    return 2;
  }
  struct utsname u;
  uname(&u);
  begin(FROM_READY);
  put_u32((uint32_t)libbpf_num_possible_cpus());
  put_text(u.release);
  end();
  flush_out();
  read_settings();
  run();
  begin(FROM_DONE);
  end();
  flush_out();
  return 0;
}
