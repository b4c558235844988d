import { bpf, c, errno, koffi, OpenOpts, IterAttachOpts } from './native.js';
import { checkInt, checkPtr, LibbpfError } from './errors.js';
import { NativeBuffer } from './memory.js';
import { BpfMap } from './map.js';
import { BpfLink } from './link.js';
import { progTypeName } from './names.js';

export interface OpenOptions {
  /** Object name libbpf uses in its messages (defaults to the ELF's). */
  name?: string;
  /** A BTF file to resolve CO-RE relocations against instead of /sys/kernel/btf/vmlinux. */
  btfCustomPath?: string;
}

/** Live objects, so an exiting process can release what JS code forgot (fds die anyway; this is tidy). */
const live = new Set<BpfObject>();

/**
 * An opened (and later loaded) BPF ELF object. Owns its programs, maps, links, log buffers and the copy
 * of the ELF bytes libbpf reads from; `close()` releases all of them and is safe to call twice.
 */
export class BpfObject {
  private handle: bigint | null;
  private readonly elf: NativeBuffer;
  private readonly owned: NativeBuffer[] = [];
  private readonly links = new Set<BpfLink>();
  private programCache?: BpfProgram[];
  private mapCache?: BpfMap[];
  loaded = false;

  private constructor(handle: bigint, elf: NativeBuffer) {
    this.handle = handle;
    this.elf = elf;
    live.add(this);
  }

  static openMem(bytes: Uint8Array, opts: OpenOptions = {}): BpfObject {
    const elf = NativeBuffer.from(bytes);
    const o = {
      sz: koffi.sizeof(OpenOpts),
      object_name: opts.name ?? null,
      relaxed_maps: false,
      pin_root_path: null,
      _pad: 0,
      kconfig: null,
      btf_custom_path: opts.btfCustomPath ?? null,
      kernel_log_buf: null,
      kernel_log_size: 0,
      kernel_log_level: 0,
    };
    const p = bpf.object_open_mem(elf.address, bytes.length, o);
    if (p === null || p === 0n) {
      const code = errno() || 22;
      elf.free();
      throw new LibbpfError('bpf_object__open_mem', code, 'the file is not a BPF object libbpf can read');
    }
    return new BpfObject(p, elf);
  }

  get ptr(): bigint {
    if (this.handle === null) throw new Error('BPF object used after close()');
    return this.handle;
  }

  get name(): string {
    return bpf.object_name(this.ptr);
  }

  programs(): BpfProgram[] {
    if (!this.programCache) {
      const out: BpfProgram[] = [];
      for (let p = bpf.object_next_program(this.ptr, null); p; p = bpf.object_next_program(this.ptr, p)) {
        out.push(new BpfProgram(this, p));
      }
      this.programCache = out;
    }
    return this.programCache;
  }

  program(name: string): BpfProgram | undefined {
    return this.programs().find((p) => p.name === name);
  }

  maps(): BpfMap[] {
    if (!this.mapCache) {
      const out: BpfMap[] = [];
      for (let m = bpf.object_next_map(this.ptr, null); m; m = bpf.object_next_map(this.ptr, m)) {
        out.push(new BpfMap(m, () => this.loaded));
      }
      this.mapCache = out;
    }
    return this.mapCache;
  }

  map(name: string): BpfMap | undefined {
    return this.maps().find((m) => m.name === name);
  }

  /** Loads maps and programs into the kernel. Throws LibbpfError; per-program logs hold the details. */
  load(): void {
    checkInt('bpf_object__load', bpf.object_load(this.ptr));
    this.loaded = true;
  }

  /** @internal memory that must live as long as the object */
  own(buf: NativeBuffer): NativeBuffer {
    this.owned.push(buf);
    return buf;
  }

  /** @internal */
  track(link: BpfLink): BpfLink {
    this.links.add(link);
    link.onDestroy(() => this.links.delete(link));
    return link;
  }

  close(): void {
    if (this.handle === null) return;
    for (const l of [...this.links]) l.destroy();
    bpf.object_close(this.handle);
    this.handle = null;
    for (const b of this.owned) b.free();
    this.elf.free();
    live.delete(this);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Close every object still open in this process (used on exit paths). */
  static closeAll(): void {
    for (const o of [...live]) o.close();
  }
}

/** A program inside a BpfObject; valid while the object is open. */
export class BpfProgram {
  private logBuf?: NativeBuffer;

  constructor(
    readonly object: BpfObject,
    private readonly p: bigint,
  ) {}

  get name(): string {
    return bpf.program_name(this.p);
  }
  get section(): string {
    return bpf.program_section_name(this.p);
  }
  get type(): number {
    return bpf.program_type(this.p);
  }
  get typeName(): string {
    return progTypeName(this.type);
  }
  get expectedAttachType(): number {
    return bpf.program_expected_attach_type(this.p);
  }
  get insnCount(): number {
    return bpf.program_insn_cnt(this.p);
  }
  get autoload(): boolean {
    return bpf.program_autoload(this.p);
  }
  set autoload(on: boolean) {
    checkInt('bpf_program__set_autoload', bpf.program_set_autoload(this.p, on));
  }
  get fd(): number {
    return bpf.program_fd(this.p);
  }

  /**
   * What the kernel says about the loaded program (struct bpf_prog_info): its id, the size of the
   * JIT-compiled code, and how many instructions the verifier checked.
   */
  info(): { id: number; tag: string; jitedBytes: number; xlatedBytes: number; verifiedInsns: number } {
    const buf = Buffer.alloc(256);
    const len: [number] = [buf.length];
    checkInt('bpf_obj_get_info_by_fd', bpf.obj_get_info_by_fd(this.fd, buf, len));
    return {
      id: buf.readUInt32LE(4),
      tag: buf.subarray(8, 16).toString('hex'),
      jitedBytes: buf.readUInt32LE(16),
      xlatedBytes: buf.readUInt32LE(20),
      verifiedInsns: len[0] >= 220 ? buf.readUInt32LE(216) : 0,
    };
  }

  /**
   * Give the program its own verifier log buffer. With level 0 libbpf asks the kernel for a log only
   * after a failed load (retrying at level 1 into this buffer); level 4 gives statistics on success.
   */
  setLog(size: number, level: number): void {
    this.logBuf ??= this.object.own(NativeBuffer.alloc(size));
    if (this.logBuf.size < size) this.logBuf = this.object.own(NativeBuffer.alloc(size));
    this.logBuf.clear();
    checkInt('bpf_program__set_log_buf', bpf.program_set_log_buf(this.p, this.logBuf.address, this.logBuf.size));
    checkInt('bpf_program__set_log_level', bpf.program_set_log_level(this.p, level));
  }

  /** The verifier log written into the buffer from setLog(). */
  log(): { text: string; full: boolean } {
    if (!this.logBuf) return { text: '', full: false };
    const text = this.logBuf.readCString();
    return { text, full: Buffer.byteLength(text) >= this.logBuf.size - 1 };
  }

  /** Attach the way the section name says (tracepoint, raw_tp, tp_btf, uprobe with a path, iter...). */
  attach(): BpfLink {
    return this.object.track(new BpfLink(checkPtr(`attach ${this.section}`, bpf.program_attach(this.p))));
  }

  attachPerfEvent(perfFd: number): BpfLink {
    let l: bigint;
    try {
      l = checkPtr('bpf_program__attach_perf_event', bpf.program_attach_perf_event(this.p, perfFd));
    } catch (e) {
      // Not taken by a link: ours to close (a shared runner process outlives the run that opened it).
      c.close(perfFd);
      throw e;
    }
    // libbpf's perf link owns perfFd from here on and closes it on destroy.
    return this.object.track(new BpfLink(l));
  }

  attachIter(): BpfLink {
    const opts = { sz: koffi.sizeof(IterAttachOpts), link_info: null, link_info_len: 0 };
    return this.object.track(new BpfLink(checkPtr('bpf_program__attach_iter', bpf.program_attach_iter(this.p, opts))));
  }

  /**
   * A uprobe (or uretprobe) at `fileOffset` bytes into the file `path`, in every process. The caller
   * decides the file and offset (an absolute path: libbpf searches nothing) — the agent's policy
   * checks them first; `attach()` would re-read them from the section text instead.
   */
  attachUprobe(retprobe: boolean, path: string, fileOffset: number): BpfLink {
    if (!path.startsWith('/')) throw new Error(`attachUprobe needs an absolute path, got ${path}`);
    const l = bpf.program_attach_uprobe(this.p, retprobe, -1, path, fileOffset);
    return this.object.track(new BpfLink(checkPtr('bpf_program__attach_uprobe', l)));
  }

  /** The USDT probes `provider:name` of the file `path` (absolute), in every process. */
  attachUsdt(path: string, provider: string, name: string): BpfLink {
    if (!path.startsWith('/')) throw new Error(`attachUsdt needs an absolute path, got ${path}`);
    const l = bpf.program_attach_usdt(this.p, -1, path, provider, name, null);
    return this.object.track(new BpfLink(checkPtr('bpf_program__attach_usdt', l)));
  }

  attachXdp(ifindex: number): BpfLink {
    return this.object.track(new BpfLink(checkPtr('bpf_program__attach_xdp', bpf.program_attach_xdp(this.p, ifindex))));
  }
}

process.on('exit', () => BpfObject.closeAll());
