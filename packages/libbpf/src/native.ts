import koffi from 'koffi';

/**
 * Raw koffi declarations for libbpf1 1.4 (Debian bookworm-backports, installed by scripts/setup.sh) and
 * the few libc calls we need. Everything here is unsafe (pointers are bigints); the rest of the package
 * wraps it in owned handles. Option structs are declared up to the fields we use: `sz` tells libbpf
 * which fields we know, so a newer libbpf reads them the same way.
 */
export const lib = koffi.load('libbpf.so.1');
export const libc = koffi.load('libc.so.6');

/** The oldest libbpf these bindings (and the headers programs compile against) are written for. */
export const LIBBPF_MIN = { major: 1, minor: 4 } as const;

/** `struct bpf_object_open_opts` of libbpf 1.1 (80 bytes on x86_64; `sz` tells libbpf which fields we know). */
export const OpenOpts = koffi.struct('bpf_object_open_opts', {
  sz: 'size_t',
  object_name: 'const char *',
  relaxed_maps: 'bool',
  pin_root_path: 'const char *',
  _pad: 'uint32_t',
  kconfig: 'const char *',
  btf_custom_path: 'const char *',
  kernel_log_buf: 'void *',
  kernel_log_size: 'size_t',
  kernel_log_level: 'uint32_t',
});

export const IterAttachOpts = koffi.struct('bpf_iter_attach_opts', {
  sz: 'size_t',
  link_info: 'void *',
  link_info_len: 'uint32_t',
});

export const ProgLoadOpts = koffi.struct('bpf_prog_load_opts', {
  sz: 'size_t',
  attempts: 'int',
  expected_attach_type: 'uint32_t',
  prog_btf_fd: 'uint32_t',
  prog_flags: 'uint32_t',
  prog_ifindex: 'uint32_t',
  kern_version: 'uint32_t',
  attach_btf_id: 'uint32_t',
  attach_prog_fd: 'uint32_t',
  attach_btf_obj_fd: 'uint32_t',
  fd_array: 'void *',
  func_info: 'void *',
  func_info_cnt: 'uint32_t',
  func_info_rec_size: 'uint32_t',
  line_info: 'void *',
  line_info_cnt: 'uint32_t',
  line_info_rec_size: 'uint32_t',
  log_level: 'uint32_t',
  log_size: 'uint32_t',
  log_buf: 'void *',
});

export const TcHook = koffi.struct('bpf_tc_hook', {
  sz: 'size_t',
  ifindex: 'int',
  attach_point: 'int',
  parent: 'uint32_t',
});

export const TcOpts = koffi.struct('bpf_tc_opts', {
  sz: 'size_t',
  prog_fd: 'int',
  flags: 'uint32_t',
  prog_id: 'uint32_t',
  handle: 'uint32_t',
  priority: 'uint32_t',
});

/** `int (*)(enum libbpf_print_level, const char *fmt, va_list)`: fmt and va_list stay raw pointers for vsnprintf. */
export const PrintFn = koffi.proto('int bpfplay_print_fn(int level, void *fmt, void *args)');
export const PerfSampleFn = koffi.proto('void bpfplay_perf_sample_fn(void *ctx, int cpu, void *data, uint32_t size)');
export const PerfLostFn = koffi.proto('void bpfplay_perf_lost_fn(void *ctx, int cpu, uint64_t cnt)');

type Ptr = bigint | null;
type Fn<A extends unknown[], R> = (...args: A) => R;

export const bpf = {
  set_print: lib.func('void *libbpf_set_print(bpfplay_print_fn *fn)') as Fn<[bigint | null], Ptr>,
  strerror: lib.func('int libbpf_strerror(int err, void *buf, size_t size)') as Fn<[number, Buffer, number], number>,
  major_version: lib.func('uint32_t libbpf_major_version(void)') as Fn<[], number>,
  minor_version: lib.func('uint32_t libbpf_minor_version(void)') as Fn<[], number>,

  object_open_mem: lib.func('void *bpf_object__open_mem(void *buf, size_t size, bpf_object_open_opts *opts)') as Fn<
    [bigint, number, object],
    Ptr
  >,
  object_load: lib.func('int bpf_object__load(void *obj)') as Fn<[bigint], number>,
  object_close: lib.func('void bpf_object__close(void *obj)') as Fn<[bigint], void>,
  object_name: lib.func('const char *bpf_object__name(void *obj)') as Fn<[bigint], string>,
  object_next_program: lib.func('void *bpf_object__next_program(void *obj, void *prog)') as Fn<[bigint, Ptr], Ptr>,
  object_next_map: lib.func('void *bpf_object__next_map(void *obj, void *map)') as Fn<[bigint, Ptr], Ptr>,

  program_name: lib.func('const char *bpf_program__name(void *prog)') as Fn<[bigint], string>,
  program_section_name: lib.func('const char *bpf_program__section_name(void *prog)') as Fn<[bigint], string>,
  program_autoload: lib.func('bool bpf_program__autoload(void *prog)') as Fn<[bigint], boolean>,
  program_set_autoload: lib.func('int bpf_program__set_autoload(void *prog, bool autoload)') as Fn<
    [bigint, boolean],
    number
  >,
  program_insn_cnt: lib.func('size_t bpf_program__insn_cnt(void *prog)') as Fn<[bigint], number>,
  program_fd: lib.func('int bpf_program__fd(void *prog)') as Fn<[bigint], number>,
  program_type: lib.func('int bpf_program__type(void *prog)') as Fn<[bigint], number>,
  program_expected_attach_type: lib.func('int bpf_program__expected_attach_type(void *prog)') as Fn<[bigint], number>,
  program_set_log_level: lib.func('int bpf_program__set_log_level(void *prog, uint32_t level)') as Fn<
    [bigint, number],
    number
  >,
  program_set_log_buf: lib.func('int bpf_program__set_log_buf(void *prog, void *buf, size_t size)') as Fn<
    [bigint, bigint, number],
    number
  >,
  program_attach: lib.func('void *bpf_program__attach(void *prog)') as Fn<[bigint], Ptr>,
  program_attach_perf_event: lib.func('void *bpf_program__attach_perf_event(void *prog, int pfd)') as Fn<
    [bigint, number],
    Ptr
  >,
  program_attach_iter: lib.func('void *bpf_program__attach_iter(void *prog, bpf_iter_attach_opts *opts)') as Fn<
    [bigint, object | null],
    Ptr
  >,
  program_attach_xdp: lib.func('void *bpf_program__attach_xdp(void *prog, int ifindex)') as Fn<[bigint, number], Ptr>,
  program_attach_uprobe: lib.func(
    'void *bpf_program__attach_uprobe(void *prog, bool retprobe, int pid, const char *binary_path, size_t func_offset)',
  ) as Fn<[bigint, boolean, number, string, number], Ptr>,
  program_attach_usdt: lib.func(
    'void *bpf_program__attach_usdt(void *prog, int pid, const char *binary_path, const char *usdt_provider, const char *usdt_name, void *opts)',
  ) as Fn<[bigint, number, string, string, string, null], Ptr>,

  link_fd: lib.func('int bpf_link__fd(void *link)') as Fn<[bigint], number>,
  link_destroy: lib.func('int bpf_link__destroy(void *link)') as Fn<[bigint], number>,

  map_name: lib.func('const char *bpf_map__name(void *map)') as Fn<[bigint], string>,
  map_type: lib.func('int bpf_map__type(void *map)') as Fn<[bigint], number>,
  map_fd: lib.func('int bpf_map__fd(void *map)') as Fn<[bigint], number>,
  map_key_size: lib.func('uint32_t bpf_map__key_size(void *map)') as Fn<[bigint], number>,
  map_value_size: lib.func('uint32_t bpf_map__value_size(void *map)') as Fn<[bigint], number>,
  map_max_entries: lib.func('uint32_t bpf_map__max_entries(void *map)') as Fn<[bigint], number>,
  map_flags: lib.func('uint32_t bpf_map__map_flags(void *map)') as Fn<[bigint], number>,
  map_btf_key_type_id: lib.func('uint32_t bpf_map__btf_key_type_id(void *map)') as Fn<[bigint], number>,
  map_btf_value_type_id: lib.func('uint32_t bpf_map__btf_value_type_id(void *map)') as Fn<[bigint], number>,
  map_initial_value: lib.func('void *bpf_map__initial_value(void *map, _Out_ size_t *size)') as Fn<
    [bigint, [number | null]],
    Ptr
  >,

  map_lookup_elem: lib.func('int bpf_map_lookup_elem(int fd, void *key, void *value)') as Fn<
    [number, Buffer | null, Buffer],
    number
  >,
  map_get_next_key: lib.func('int bpf_map_get_next_key(int fd, void *key, void *next_key)') as Fn<
    [number, Buffer | null, Buffer],
    number
  >,
  num_possible_cpus: lib.func('int libbpf_num_possible_cpus(void)') as Fn<[], number>,
  map_set_max_entries: lib.func('int bpf_map__set_max_entries(void *map, uint32_t n)') as Fn<[bigint, number], number>,
  map_inner_map: lib.func('void *bpf_map__inner_map(void *map)') as Fn<[bigint], Ptr>,
  map_pin_path: lib.func('const char *bpf_map__pin_path(void *map)') as Fn<[bigint], string | null>,
  map_set_value_size: lib.func('int bpf_map__set_value_size(void *map, uint32_t size)') as Fn<[bigint, number], number>,
  map_set_key_size: lib.func('int bpf_map__set_key_size(void *map, uint32_t size)') as Fn<[bigint, number], number>,
  obj_get_info_by_fd: lib.func('int bpf_obj_get_info_by_fd(int fd, void *info, _Inout_ uint32_t *len)') as Fn<
    [number, Buffer, [number]],
    number
  >,
  prog_test_run_opts: lib.func('int bpf_prog_test_run_opts(int prog_fd, void *opts)') as Fn<[number, bigint], number>,
  iter_create: lib.func('int bpf_iter_create(int link_fd)') as Fn<[number], number>,
  prog_load: lib.func(
    'int bpf_prog_load(int type, const char *name, const char *license, void *insns, size_t cnt, bpf_prog_load_opts *opts)',
  ) as Fn<[number, string | null, string, Buffer, number, object | null], number>,

  tc_hook_create: lib.func('int bpf_tc_hook_create(bpf_tc_hook *hook)') as Fn<[object], number>,
  tc_hook_destroy: lib.func('int bpf_tc_hook_destroy(bpf_tc_hook *hook)') as Fn<[object], number>,
  tc_attach: lib.func('int bpf_tc_attach(bpf_tc_hook *hook, _Inout_ bpf_tc_opts *opts)') as Fn<
    [object, object],
    number
  >,

  perf_buffer_new: lib.func(
    'void *perf_buffer__new(int map_fd, size_t page_cnt, bpfplay_perf_sample_fn *sample, bpfplay_perf_lost_fn *lost, void *ctx, void *opts)',
  ) as Fn<[number, number, bigint, bigint, Ptr, Ptr], Ptr>,
  perf_buffer_consume: lib.func('int perf_buffer__consume(void *pb)') as Fn<[bigint], number>,
  perf_buffer_free: lib.func('void perf_buffer__free(void *pb)') as Fn<[bigint], void>,
};

export const c = {
  malloc: libc.func('void *malloc(size_t size)') as Fn<[number], Ptr>,
  calloc: libc.func('void *calloc(size_t n, size_t size)') as Fn<[number, number], Ptr>,
  free: libc.func('void free(void *p)') as Fn<[bigint], void>,
  memcpy: libc.func('void *memcpy(void *dst, void *src, size_t n)') as Fn<[bigint, Buffer | Uint8Array, number], Ptr>,
  vsnprintf: libc.func('int vsnprintf(void *buf, size_t size, void *fmt, void *args)') as Fn<
    [Buffer, number, bigint, bigint],
    number
  >,
  close: libc.func('int close(int fd)') as Fn<[number], number>,
  read: libc.func('intptr_t read(int fd, void *buf, size_t n)') as Fn<[number, Buffer, number], number>,
  mmap: libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)') as Fn<
    [Ptr, number, number, number, number, number],
    bigint
  >,
  munmap: libc.func('int munmap(void *addr, size_t len)') as Fn<[bigint, number], number>,
  /** Variadic, as in C; only used for perf_event_open(2), which glibc does not wrap. */
  syscall: libc.func('long syscall(long nr, ...)') as (...args: unknown[]) => number,
  sysconf: libc.func('long sysconf(int name)') as Fn<[number], number>,
  socket: libc.func('int socket(int domain, int type, int protocol)') as Fn<[number, number, number], number>,
  bind: libc.func('int bind(int fd, void *addr, uint32_t len)') as Fn<[number, Buffer, number], number>,
  setsockopt: libc.func('int setsockopt(int fd, int level, int name, void *val, uint32_t len)') as Fn<
    [number, number, number, Buffer, number],
    number
  >,
  write: libc.func('intptr_t write(int fd, void *buf, size_t n)') as Fn<[number, Buffer | Uint8Array, number], number>,
  if_nametoindex: libc.func('unsigned int if_nametoindex(const char *name)') as Fn<[string], number>,
  prctl: libc.func(
    'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
  ) as Fn<[number, number, number, number, number], number>,
};

/**
 * Refuse an older libbpf at once, with the fix, rather than failing later on a missing symbol or, worse,
 * compiling programs against 1.4 headers and loading them with a 1.1 library.
 */
const found = { major: bpf.major_version(), minor: bpf.minor_version() };
if (found.major < LIBBPF_MIN.major || (found.major === LIBBPF_MIN.major && found.minor < LIBBPF_MIN.minor)) {
  throw new Error(
    `libbpf ${found.major}.${found.minor} is installed; bpfplay needs libbpf ${LIBBPF_MIN.major}.${LIBBPF_MIN.minor} ` +
      `or newer (Debian: libbpf1 from bookworm-backports). Run scripts/setup.sh as root.`,
  );
}

export const errno = (): number => koffi.errno();

export { koffi };
