import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { release, arch, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { helperNames, loadBtf, type Btf } from '@bpfplay/btf';
import type { AttachSupport } from '@bpfplay/protocol';
import { PROTOCOL_VERSION } from '@bpfplay/protocol';
import type { AgentContext } from './agent-context.js';
import { createCompiler, holdMarkedCompiles } from './compile/index.js';
import { AGENT_ROOT, type AgentConfig } from './config.js';
import { publicLimits } from './limits.js';
import { probeCapabilities } from './probe/capabilities.js';
import { RunnerPool } from './runner/pool.js';
import { WARMUP_SOURCE } from './runner/warm-up-source.js';
import { tokenId } from './server/auth.js';
import { clientKeyOf } from './server/client-key.js';
import { Connection } from './server/connection.js';
import { createAgentServer } from './server/http.js';
import { Session } from './session/session.js';
import { CoReTargets } from './co-re/targets.js';
import { RunRegistry } from './run/registry.js';
import { DEFAULT_POLICY, mergePolicy, type Policy } from './policy/policy.js';
import { AuditLog } from './audit/audit-log.js';
import { createLspService } from './lsp/service.js';
import { DEFAULT_INCLUDE_DIR } from './compile/toolchain.js';
import { guestCapabilities, listKernels } from './guest/kernels.js';
import { chooseMachine } from './guest/machine.js';
import { GUEST_LIMITS } from './guest/limits.js';
import { GuestPools } from './runner/guest-pool.js';
import { guestPolicy } from './policy/guest-policy.js';
import type { RunTargetEnv } from './run/target-env.js';
import { HOST_TARGET, type KernelInfo } from '@bpfplay/protocol';
import { freemem } from 'node:os';
import { loadTriggers } from './trigger/example-triggers.js';

export const AGENT_VERSION = '0.1.0';

export interface Agent {
  /** http://host:port */
  url: string;
  port: number;
  token: string;
  capabilities: AttachSupport[];
  /** Stop every run (killing runners), close sessions and the server. */
  close(): Promise<void>;
}

/** Start an agent: toolchain and kernel checks, capability probe, then the server. */
export async function startAgent(config: AgentConfig, log: (line: string) => void = () => {}): Promise<Agent> {
  if (!existsSync('/sys/kernel/btf/vmlinux')) {
    throw new Error('this kernel has no BTF (/sys/kernel/btf/vmlinux): the agent needs CONFIG_DEBUG_INFO_BTF=y');
  }
  mkdirSync(config.dataDir, { recursive: true });
  const t0 = performance.now();
  const compiler = await createCompiler({
    cacheDir: join(config.dataDir, 'cache'),
    ...(config.compileLimits ? { limits: config.compileLimits } : {}),
    ...(config.testHoldCompileMarker ? { testHooks: holdMarkedCompiles(config.testHoldCompileMarker, log) } : {}),
  });
  log(`compiler ready: ${compiler.info.clangVersion} (${Math.round(performance.now() - t0)} ms)`);
  const capabilities = await probeCapabilities(compiler);
  log(
    `attach kinds: ${capabilities.map((c) => `${c.kind}${c.supported ? '' : ' (no)'}`).join(', ')} (${Math.round(performance.now() - t0)} ms)`,
  );
  const pool = new RunnerPool(config.warmRunners, config.runsPerRunner);
  // Idle runners load a small program once, so a user's first load is not their first (warm-up.ts).
  void compiler.compile({ files: [{ name: 'warmup.bpf.c', content: WARMUP_SOURCE }] }).then(
    (r) => r.object && pool.setWarmup(r.object),
    () => {},
  );
  const sessions = new Set<Session>();
  /** Each session's client (server/client-key.ts), for the per-client session limit. */
  const clients = new Map<Session, string>();

  // The kernel matrix: kernels setup fetched (scripts/kernels.sh) with a guest built for them.
  const kernels = listKernels();
  const machine = kernels.length ? await chooseMachine(kernels[0]!) : undefined;
  if (machine)
    log(`kernel matrix: ${kernels.map((k) => `${k.name} (${k.release})`).join(', ')}; guests run under ${machine.why}`);
  else if (config.isolate)
    throw new Error('--isolate needs the kernel matrix: run scripts/setup.sh (scripts/kernels.sh, guest/build.sh)');
  // Booting is CPU-bound under TCG: at most one boot per core but one, so warm-up never starves runs.
  const guests = new GuestPools(
    GUEST_LIMITS.warmPerKernel,
    Math.max(1, cpus().length - 1),
    undefined,
    (k, ms) => log(`warm guest ${k} ready (booted in ${Math.round(ms)} ms)`),
    (k, why, gaveUp) => {
      const next = gaveUp
        ? `${GUEST_LIMITS.warmBootAttempts} in a row: no more warm ${k} guests until a run asks`
        : 'booting another';
      log(`warm guest ${k} failed (${next}): ${why}`);
    },
  );
  const targets = new Map<string, RunTargetEnv>();
  const guestTargetPolicy = guestPolicy(config.policy ?? {});
  if (!config.isolate)
    targets.set(HOST_TARGET, {
      name: HOST_TARGET,
      btf: () => loadVmlinux(),
      capabilities,
      policy: mergePolicy(DEFAULT_POLICY, { uprobeBinaries: config.uprobeBinaries, ...(config.policy ?? {}) }),
    });
  const kernelInfo: KernelInfo[] = [];
  for (const k of kernels) {
    const attach = guestCapabilities(k);
    let kernelBtf: Btf | undefined;
    targets.set(k.name, {
      name: k.name,
      btf: () => (kernelBtf ??= loadBtf(readFileSync(k.btf), { name: k.name })),
      capabilities: attach,
      policy: guestTargetPolicy,
      guest: { kernel: k, machine: machine! },
    });
    kernelInfo.push({
      name: k.name,
      release: k.release,
      source: k.source,
      highlights: k.highlights,
      attach,
      accel: machine!.accel,
    });
  }
  // The pool's memory bound: warm guests never take more than half of what is free now.
  const affordable = Math.floor(freemem() / 2 / (GUEST_LIMITS.hostMbPerGuest << 20));
  const warmNow = config.warmGuests.includes('all')
    ? kernels
    : kernels.filter((k) => config.warmGuests.includes(k.name));
  for (const k of warmNow.slice(0, affordable)) guests.warm(targets.get(k.name)!.guest!);
  // Isolated, a run that names no target goes to the newest kernel (listKernels sorts by release):
  // it has the most of what tutorials use and is the closest to a current host (RunOptions.targets).
  const defaultTarget = config.isolate ? kernels[kernels.length - 1]!.name : HOST_TARGET;
  const triggers = loadTriggers(config.examplesDir, log);
  let triggersRunning = 0;

  let vmlinux: Btf | undefined;
  let helpers: Map<number, string> | undefined;
  const policy: Policy = mergePolicy(DEFAULT_POLICY, {
    uprobeBinaries: config.uprobeBinaries,
    ...(config.policy ?? {}),
  });
  const loadVmlinux = () => (vmlinux ??= loadBtf(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' }));
  const lsp = createLspService({
    vmlinuxHeader: compiler.info.vmlinuxHeader,
    includeDir: DEFAULT_INCLUDE_DIR,
    limits: config.limits,
    capabilities,
    vmlinux: loadVmlinux,
    uprobeBinaries: config.uprobeBinaries,
  });
  const ctx: AgentContext = {
    config,
    compiler,
    pool,
    guests,
    targets,
    defaultTarget,
    capabilities,
    policy,
    lsp,
    audit: new AuditLog(join(config.dataDir, 'audit.log'), log),
    vmlinux: loadVmlinux,
    helperNames: () => (helpers ??= helperNames(ctx.vmlinux())),
    coReTargets: new CoReTargets(
      join(config.dataDir, 'btf-uploads'),
      [join(AGENT_ROOT, 'btf'), join(config.dataDir, 'btf')],
      kernels,
    ),
    runs: new RunRegistry(),
    triggers,
    triggerStarted: () => triggersRunning < config.limits.maxTriggers && ++triggersRunning > 0,
    triggerEnded: () => void triggersRunning--,
  };

  const hello = () => ({
    version: PROTOCOL_VERSION,
    agent: { version: AGENT_VERSION, hostname: config.nodeName },
    capabilities: {
      kernelRelease: release(),
      arch: arch(),
      cpus: cpus().length,
      btf: true,
      attach: capabilities,
      coreTargets: ctx.coReTargets.bundled(),
      runTargets: [...targets.keys()],
      ...(kernelInfo.length ? { kernels: kernelInfo } : {}),
      ...(machine ? { guestAccel: { accel: machine.accel, why: machine.why } } : {}),
      uprobeBinaries: config.uprobeBinaries,
      triggers: [...triggers.keys()],
      prebuiltObjects: config.acceptObjects,
    },
    limits: publicLimits(config.limits),
    load: { runs: ctx.runs.count, sessions: sessions.size, loadAvg1: Math.round(loadavg()[0]! * 100) / 100 },
  });

  const { server, wss } = createAgentServer(config, {
    info: hello,
    sessionRefusal: (req) => {
      if (sessions.size >= config.limits.maxSessions)
        return `the agent has ${sessions.size} sessions open (limit ${config.limits.maxSessions}); close a tab or try again later`;
      // The agent has one token today; counting by token id keeps the rule right when it has more.
      const id = tokenId(config.token);
      const mine = [...sessions].filter((s) => s.tokenId === id).length;
      if (mine >= config.limits.maxSessionsPerToken)
        return `this token has ${mine} sessions open (limit ${config.limits.maxSessionsPerToken}); close a tab first`;
      const client = clientKeyOf(req, config.trustedProxies);
      const theirs = [...clients.values()].filter((c) => c === client).length;
      if (theirs >= config.limits.maxSessionsPerClient)
        return `you have ${theirs} sessions open on this agent (limit ${config.limits.maxSessionsPerClient} per client); close a tab first`;
      return undefined;
    },
    onSession: (ws, req) => {
      const conn = new Connection(ws, config.limits);
      const session = new Session(ctx, conn, tokenId(config.token), (s) => {
        sessions.delete(s);
        clients.delete(s);
        pool.setSessions(sessions.size);
      });
      sessions.add(session);
      clients.set(session, clientKeyOf(req, config.trustedProxies));
      pool.setSessions(sessions.size);
      conn.send({ type: 'hello', session: { id: session.id }, ...hello() });
    },
  });

  ctx.helperNames(); // parse vmlinux BTF now rather than during the first run
  // …and its name index (~70 ms here), which every run's CO-RE check needs (load/core-btf.ts).
  ctx.vmlinux().findByName('bpf_func_id');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : config.port;

  let closing: Promise<void> | undefined;
  return {
    url: `${config.tls ? 'https' : 'http'}://${config.host}:${port}`,
    port,
    token: config.token,
    capabilities,
    close: () =>
      (closing ??= (async () => {
        for (const s of [...sessions]) s.close('agent-exit', 'the agent is shutting down', true);
        pool.close();
        guests.close();
        await Promise.all([compiler.close(), lsp.close()]);
        for (const ws of wss.clients) ws.terminate();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      })()),
  };
}
