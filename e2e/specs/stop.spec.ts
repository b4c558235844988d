import {
  connected,
  expect,
  keepTriggering,
  loadedProgramNames,
  openPlayground,
  seedSnippet,
  shot,
  test,
} from '../lib/test';

test('Stop ends the run: status says stopped and the program leaves the kernel', async ({ page, servers }) => {
  // A program name no other test or user would load (kernel names keep 15 characters).
  const prog = `e2e_${Math.random().toString(36).slice(2, 10)}`;
  await seedSnippet(page, servers, [
    {
      name: 'stopme.bpf.c',
      content: `#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nSEC("tracepoint/syscalls/sys_enter_execve")\nint ${prog}(void *ctx)\n{\n\tbpf_printk("exec");\n\treturn 0;\n}\n\nchar LICENSE[] SEC("license") = "GPL";\n`,
    },
  ]);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('duration').selectOption('120');
  const trigger = keepTriggering('/bin/true', 300);
  try {
    await page.getByTestId('run').click();
    await expect(page.getByTestId('status')).toContainText('running');
    await expect(page.getByTestId('status')).toContainText('/ 120 s');
    expect(loadedProgramNames()).toContain(prog);
    await expect(page.getByTestId('printk-line').first()).toBeVisible();
    // Esc outside the editor stops, like the Stop button.
    await page.getByTestId('pane-console').click();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('status')).toContainText('stopped: user');
    await expect(page.getByTestId('run')).toBeEnabled();
  } finally {
    trigger();
  }
  await expect
    .poll(() => loadedProgramNames().includes(prog), {
      message: `program ${prog} should be gone from the kernel after Stop`,
    })
    .toBe(false);
  await shot(page, '06-stopped');
});
