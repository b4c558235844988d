import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

function tool(cmd: string, args: string[], pick: RegExp = /^(.*)$/m): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return pick.exec(out)?.[1]?.trim() ?? out.trim();
  } catch {
    return 'not found';
  }
}

function debVersion(pkg: string): string {
  return tool('dpkg-query', ['-W', '-f', '${Version}', pkg]);
}

/** What the numbers were measured on: they mean little without it. */
export function describeMachine(): string[] {
  const os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
  return [
    `date: ${new Date().toISOString()}`,
    `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `OS: ${os}; kernel ${release()}`,
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work shares this machine)`,
    `node ${process.version}; ${tool('/usr/bin/clang-19', ['--version'], /^(.*version [^ ]+)/m)}; libbpf ${debVersion('libbpf1')}; ` +
      `${tool('bpftrace', ['--version'])}; ${tool('/usr/bin/chromium', ['--version'])}`,
  ];
}

/** How contended the CPU was lately: PSI "some" avg60 (share of time a task waited for a CPU) and the load average. */
export function cpuContention(): string {
  let psi = 'n/a';
  try {
    psi = `${/some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? 'n/a'}%`;
  } catch {
    // No PSI on this kernel.
  }
  return `CPU pressure while measuring (PSI some avg60): ${psi}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}
