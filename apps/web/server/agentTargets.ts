import { existsSync, readFileSync } from 'node:fs';
import { Placement, sessionUrl, type NodeRegistry } from '@bpfplay/nodes';
import { startRegistry } from '@bpfplay/nodes/config';
import { AdmissionLine, type LineClock } from './admission';
import type { AgentTarget } from './relay';

/**
 * Where the relay opens learners' agent sessions (one home for these variables):
 * - with BPFPLAY_AGENTS_FILE / BPFPLAY_AGENTS_SERVICE (issue 19): the registry's nodes, a learner
 *   placed on the least loaded one that is up and kept there (packages/nodes Placement);
 * - else the one agent at BPFPLAY_AGENT_URL with BPFPLAY_AGENT_TOKEN or BPFPLAY_AGENT_TOKEN_FILE
 *   (scripts/start.sh sets them; the token never reaches a browser).
 * Undefined `pick` result: no agent is configured or up, said to the learner by the caller.
 */
export interface AgentTargets {
  /** `allowed`: the room's nodes (RoomSettings.nodes); null or absent: any node. */
  pick(learnerKey: string, allowed?: readonly string[] | null): AgentTarget | undefined;
  /** For the server's start line and the learner's message when there is none. */
  describe: string;
  /** The agents file's or Service's nodes, when configured: runs on one chosen node or on all (nodeRuns.ts). */
  registry?: NodeRegistry;
}

const timers: LineClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export async function agentTargets(env: Record<string, string | undefined> = process.env): Promise<AgentTargets> {
  const registry = await startRegistry(env);
  if (registry) {
    const placement = new Placement(registry, (ep) => ({ ...ep, line: new AdmissionLine(timers) }));
    return {
      pick: (learner, allowed) => placement.pick(learner, allowed),
      describe: `learners placed on the least loaded of ${registry.nodes().length} agents`,
      registry,
    };
  }
  const url = env.BPFPLAY_AGENT_URL;
  const tokenFile = env.BPFPLAY_AGENT_TOKEN_FILE;
  const token =
    env.BPFPLAY_AGENT_TOKEN || (tokenFile && existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (!url || !token) {
    const describe =
      'no agent for rooms: set BPFPLAY_AGENT_URL and BPFPLAY_AGENT_TOKEN (or BPFPLAY_AGENT_TOKEN_FILE), as scripts/start.sh does';
    return { pick: () => undefined, describe };
  }
  const target: AgentTarget = {
    name: new URL(sessionUrl(url)).host,
    url: sessionUrl(url),
    token,
    line: new AdmissionLine(timers),
  };
  return { pick: () => target, describe: `learners relayed to the agent at ${target.url}` };
}
