import { describe, expect, it } from 'vitest';
import { COMPILE_TIMEOUT, snippet, useTestCompiler } from './helpers.js';

/**
 * A learner's first big buffer: clang's backend says "BPF stack limit is exceeded" three times at
 * the function, with five "could not determine the original source location" notes and a
 * `-mllvm` flag that does not help. They get one error at the array, in plain words.
 */
const prelude = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
`;

describe('a stack frame over 512 bytes', { timeout: COMPILE_TIMEOUT }, () => {
  const t = useTestCompiler();

  it('is one error at the array’s line, saying why and what to do', async () => {
    const r = await t.compiler.compile(
      snippet(`${prelude}
SEC("tracepoint/syscalls/sys_enter_openat")
int big_stack(void *ctx)
{
\tint pid = bpf_get_current_pid_tgid() >> 32;
\tchar buf[1024];

\tbpf_get_current_comm(buf, sizeof(buf));
\tbpf_printk("%d %s", pid, buf);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`),
    );
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([
      {
        file: 'prog.bpf.c',
        line: 8,
        col: 7,
        severity: 'error',
        message: expect.stringMatching(
          /^`buf` takes 1024 bytes of stack, and a BPF program has 512 bytes in all: .*PERCPU_ARRAY/,
        ),
      },
    ]);
    expect(r.diagnostics[0]!.message).not.toMatch(/mllvm|could not determine/);
    // clang's own words stay in the output for whoever wants them.
    expect(r.output).toContain('Looks like the BPF stack limit is exceeded');
  });

  it('names the largest of several locals, sized by the compiler (structs, typedefs, headers)', async () => {
    const r = await t.compiler.compile(
      snippet(
        `${prelude}#include "big.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int two_buffers(void *ctx)
{
\tstruct my_sample s = {};
\tu64 small[40];

\ts.pid = bpf_get_current_pid_tgid() >> 32;
\tsmall[0] = s.pid;
\tbpf_probe_read_kernel(&s.data, sizeof(s.data), ctx);
\tbpf_probe_read_kernel(small, sizeof(small), ctx);
\tbpf_printk("%d %d %d", s.pid, s.data[3], small[5]);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
        'prog.bpf.c',
        [{ name: 'big.h', content: 'struct my_sample {\n\tint pid;\n\tint data[100];\n};\n' }],
      ),
    );
    expect(r.ok).toBe(false);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors, JSON.stringify(r.diagnostics, null, 1)).toHaveLength(1);
    // s is 404 bytes, small 320: together more than 512, each less.
    expect(errors[0]).toMatchObject({ file: 'prog.bpf.c', line: 8, col: 19 });
    expect(errors[0]!.message).toMatch(
      /^the locals of two_buffers\(\) need more than the 512 bytes .* the largest is `s` \(404 bytes\)/,
    );
  });
});
