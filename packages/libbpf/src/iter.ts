import { bpf, c, errno } from './native.js';
import { checkInt, LibbpfError } from './errors.js';
import type { BpfLink } from './link.js';

/**
 * Run an iterator once: each read() of the iterator fd makes the kernel walk its objects and run
 * the program, which writes with bpf_seq_printf. Output is capped so a runaway iterator cannot
 * exhaust memory; `truncated` says so.
 */
export function readIter(link: BpfLink, maxBytes = 1 << 20): { text: string; truncated: boolean } {
  const fd = checkInt('bpf_iter_create', bpf.iter_create(link.fd));
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = c.read(fd, buf, buf.length);
      if (n < 0) {
        const e = errno();
        if (e === 4 /* EINTR */ || e === 11 /* EAGAIN */) continue;
        throw new LibbpfError('read(iterator)', e);
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total >= maxBytes) {
        truncated = true;
        break;
      }
    }
  } finally {
    c.close(fd);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}
