/**
 * Entry of the spawner process (dist/spawner.js): a small Node process, forked once by the agent,
 * that starts every sandboxed tool (bwrap → setpriv → prlimit → clang or llvm-objdump) for it.
 *
 * Why: starting a process from the agent forks the agent. Measured here with Node 20 (libuv 1.46):
 * fork + exec of /usr/bin/true costs 9 ms of CPU from a 49 MiB Node process and 16 ms from a
 * 283 MiB one (parent + child), and uv_spawn blocks the caller's event loop until the child has
 * exec'd — under figure 4's load (50 runs compiling on 2 cores) the agent's CPU profile showed
 * ChildProcess.spawn as 10 s of 87 s, the largest entry after idle: frames not forwarded, compile
 * slots not refilled while it waited. Here that wait blocks only this process, which does nothing
 * else, and its fork copies ~45 MiB.
 *
 * It imports only Node's own modules (startup ~0.1 s of CPU, once). When the agent goes (even by
 * SIGKILL) the IPC channel closes: every tool still running is killed and the spawner exits; bwrap's
 * --die-with-parent ends a sandbox whose spawner died some other way.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BWRAP, type FromSpawner, type ToSpawner } from './spawner-wire.js';

interface Tool {
  child: ChildProcessWithoutNullStreams;
  closed: boolean;
}

const tools = new Map<number, Tool>();

function send(m: FromSpawner): void {
  if (process.connected) process.send?.(m);
}

function killGroup(tool: Tool): void {
  // Once reaped, its process group id may belong to someone else.
  if (tool.closed || tool.child.pid === undefined) return;
  try {
    process.kill(-tool.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function start(id: number, args: string[], outputCap: number): void {
  // detached: bwrap leads its own process group, so killing that group ends the tool and cannot
  // reach the spawner; the environment is PATH alone (bwrap clears it again for the tool).
  const child = spawn(BWRAP, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { PATH: '/usr/bin' } });
  const tool: Tool = { child, closed: false };
  tools.set(id, tool);
  // Only the cap's worth (and one byte more, so the agent sees that there was more) crosses the channel.
  const relay = (fd: 1 | 2) => {
    let left = outputCap + 1;
    return (b: Buffer) => {
      if (left <= 0) return;
      const part = b.length > left ? b.subarray(0, left) : b;
      left -= part.length;
      send({ t: 'out', id, fd, data: part });
    };
  };
  child.stdout.on('data', relay(1));
  child.stderr.on('data', relay(2));
  // A tool that exits without reading its input must not end the spawner with EPIPE.
  child.stdin.on('error', () => {});
  child.on('error', (e) => {
    tool.closed = true;
    tools.delete(id);
    send({ t: 'error', id, message: e.message });
  });
  child.on('close', (code, signal) => {
    tool.closed = true;
    tools.delete(id);
    send({ t: 'close', id, code, signal });
  });
}

process.on('message', (m: ToSpawner) => {
  switch (m.t) {
    case 'spawn':
      start(m.id, m.args, m.outputCap);
      break;
    case 'stdin': {
      const tool = tools.get(m.id);
      if (!tool || tool.closed) break;
      if (m.end) tool.child.stdin.end(m.data);
      else if (m.data !== undefined) tool.child.stdin.write(m.data);
      break;
    }
    case 'kill': {
      const tool = tools.get(m.id);
      if (tool) killGroup(tool);
      break;
    }
  }
});

process.on('disconnect', () => {
  for (const tool of tools.values()) killGroup(tool);
  process.exit(0);
});

send({ t: 'ready' });
