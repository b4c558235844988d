import { spawn, type ChildProcess } from 'node:child_process';
import { fanOutRun, type AgentEndpoint, type NodeFrame } from '@bpfplay/nodes';
import type { ServerMessage } from '@bpfplay/protocol';

/**
 * The program every node of the fan-out tests runs: one bpf_printk per execve, so each node's
 * records show up while the exec loop below runs (one kernel under all the nodes here).
 */
export const execPrintk = (fn: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_execve")
int ${fn}(void *ctx)
{
	bpf_printk("exec by %d", (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** Something for every node's tracepoint to see: ten execs a second until killed. */
export const startExecLoop = (): ChildProcess =>
  spawn('sh', ['-c', 'while :; do /bin/true; sleep 0.1; done'], { stdio: 'ignore' });

/**
 * A fan-out run of `source` on `nodes` for `durationSec`; once every node is running, `kill` takes
 * `victim` away. Returns the merged stream, the run's last stopped, and how many printk lines the
 * other nodes sent after the kill (they must go on).
 */
export async function runAndLoseOne(o: {
  nodes: AgentEndpoint[];
  source: string;
  durationSec: number;
  victim: string;
  kill(): Promise<unknown>;
}): Promise<{ frames: NodeFrame[]; stopped: Extract<ServerMessage, { type: 'stopped' }>; afterKill: number }> {
  const frames: NodeFrame[] = [];
  const running = new Set<string>();
  let killed = false;
  let afterKill = 0;
  let onAllRunning!: () => void;
  const allRunning = new Promise<void>((r) => (onAllRunning = r));
  const run = fanOutRun({
    nodes: o.nodes,
    runId: 'fan-kill',
    snippet: { files: [{ name: 'fan.bpf.c', content: o.source }] },
    options: { durationSec: o.durationSec },
    onFrame: (m) => {
      frames.push(m);
      if (m.type === 'status' && m.state === 'running' && m.node) running.add(m.node);
      if (running.size === o.nodes.length) onAllRunning();
      if (killed && m.type === 'printk' && m.node !== o.victim) afterKill += m.lines.length;
    },
  });
  await allRunning;
  killed = true;
  await o.kill();
  return { frames, stopped: await run.done, afterKill };
}
