import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ROOT, type AgentConfig } from '../config.js';

/**
 * BTF files shipped with the agent (apps/agent/btf/<name>.btf) that a run can check its CO-RE
 * relocations against, plus any the operator drops into <dataDir>/btf.
 */
export function bundledCoreTargets(config: AgentConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of [join(AGENT_ROOT, 'btf'), join(config.dataDir, 'btf')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.btf')) out.set(f.slice(0, -4), join(dir, f));
  }
  return out;
}
