'use client';

import { Dialog } from './Dialog';
import { modKey } from './Toolbar';

export const SHORTCUTS: [string, string][] = [
  ['Mod+Enter', 'Run the snippet'],
  ['Mod+Shift+Enter', 'Check only: compile, policy and CO-RE, nothing loaded'],
  ['Esc  or  Mod+.', 'Stop the run'],
  ['Alt+1 … Alt+9', 'Switch output pane'],
  ['Alt+E', 'Show or hide the examples'],
  ['Alt+N', 'Add a file'],
  ['Alt+T', 'Switch dark / light theme'],
  ['Alt+,', 'Connection settings'],
  ['F2 on a tab', 'Rename the file (or double-click it)'],
  ['F8 / Shift+F8', 'Next / previous problem in the editor'],
  ['?', 'This help (outside the editor)'],
];

export function HelpDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const mod = modKey();
  return (
    <Dialog open={open} title="bpfplay — help" onClose={onClose} testId="help">
      <p>
        Write a BPF program in C, press <kbd>{mod}+Enter</kbd>. The agent compiles it with clang against this
        machine&apos;s kernel BTF (<code>#include &quot;vmlinux.h&quot;</code>), checks it against its policy, loads it
        through libbpf, attaches every program by its <code>SEC()</code>, and streams what it produces:{' '}
        <code>bpf_printk</code> lines to Console, ring/perf buffer records (decoded as <code>struct event</code>) to
        Events, map snapshots to Maps.
      </p>
      <table className="grid shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <td>
                <kbd>{k.replaceAll('Mod', mod)}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <b>Share</b> stores the snippet and gives a short link (<code>/s/…</code>; the same code always gets the same
        link, an edited one gets a new link that says where it was forked from), a link with the whole code in it that
        needs no server, Markdown for a post, an iframe for slides, and .tar/.zip downloads. The CO-RE pane checks the
        relocations against other kernels: pick a bundled one or upload a BTF file.
      </p>
      <p className="small muted">
        Your snippet is saved in this browser as you type. Programs run on the agent&apos;s kernel as root, inside the
        agent&apos;s policy: helpers that change the system are refused before load, and every program is detached when
        its run stops or this page disconnects.
      </p>
    </Dialog>
  );
}
