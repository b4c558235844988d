import { PROTOCOL_VERSION } from './common';
import type { AgentInfo, Limits } from './server';

type Capabilities = AgentInfo['capabilities'];

/** What a test says about the agent it fakes; everything else is `sampleAgentInfo`'s plain host. */
export interface AgentInfoOverrides {
  agent?: Partial<AgentInfo['agent']>;
  capabilities?: Partial<Capabilities>;
  limits?: Partial<Limits>;
  load?: AgentInfo['load'];
}

/**
 * An agent's description (GET /api/info, and `hello` without its session) for tests and synthetic
 * agents: an x86_64 host with BTF that runs on the host only. A test overrides what it is about (a
 * limit, the attach families), so a field the protocol gains is added here once, not in every fake.
 * Import it as `@bpfplay/protocol/testing`: nothing the agent or the page ships uses it.
 */
export function sampleAgentInfo(over: AgentInfoOverrides = {}): AgentInfo {
  return {
    version: PROTOCOL_VERSION,
    agent: { version: '0.1.0', hostname: 'box', ...over.agent },
    capabilities: {
      kernelRelease: '6.18.0',
      arch: 'x86_64',
      cpus: 2,
      btf: true,
      attach: [],
      coreTargets: [],
      runTargets: ['host'],
      uprobeBinaries: [],
      ...over.capabilities,
    },
    limits: {
      maxRunSeconds: 600,
      defaultRunSeconds: 30,
      maxSnippetBytes: 65536,
      maxFiles: 16,
      maxEventsPerSec: 100_000,
      maxMapBytes: 1 << 24,
      maxPrograms: 16,
      maxConcurrentRuns: 2,
      ...over.limits,
    },
    ...(over.load ? { load: over.load } : {}),
  };
}
