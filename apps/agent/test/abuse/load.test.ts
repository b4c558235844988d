/**
 * Load in CI: 10 sessions compiling and running gallery examples while one session floods (a
 * program emitting 64 records on every syscall). Correctness is asserted — every session compiles,
 * runs and streams; the flood's drop count is exact; no program is left; memory stays bounded — and
 * the timings are printed, never asserted. The full 50-session run is `npm run -s abuse`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../harness/agent-process.js';
import { startAgentProcess } from '../harness/agent-process.js';
import { requireKernel, waitNoPrograms } from '../harness/kernel.js';
import { agentAlive } from './agents.js';
import { loadScenario } from './load.js';
import { loadFigures, memoryBound } from './report.js';
import { Tally } from './summary.js';

const SESSIONS = Number(process.env.BPFPLAY_LOAD_SESSIONS ?? 10);
const tally = new Tally();
const floodName = `l${Math.random().toString(36).slice(2, 6)}_flood`;
let agent: AgentProcess;

beforeAll(async () => {
  requireKernel();
  agent = await startAgentProcess();
});
afterAll(async () => {
  if (agent) {
    if (!(await agentAlive(agent))) tally.crashes++;
    await agent.stop();
  }
  tally.leaks += (await waitNoPrograms(floodName, 5000)).length;
  const title = `load: ${SESSIONS} sessions + 1 flooding`;
  tally.save(title);
  console.log(tally.table(title));
});

describe('load', () => {
  it(
    `${SESSIONS} sessions compile, run and stream while one floods; drops are exact; nothing is left`,
    async () => {
      const f = await loadScenario(agent, {
        sessions: SESSIONS,
        runSeconds: SESSIONS > 20 ? 8 : 4,
        flood: true,
        floodName,
      });
      loadFigures(tally, f);
      tally.leaks += f.programsLeft.length;
      expect(f.failures).toEqual([]);
      expect(f.flood?.produced).toBeGreaterThan(0);
      expect(
        f.flood?.exact,
        `produced ${f.flood?.produced} ≠ delivered ${f.flood?.delivered} + dropped ${f.flood?.dropped}`,
      ).toBe(true);
      expect(f.flood?.stats).toEqual({ events: f.flood?.delivered, dropped: f.flood?.dropped });
      expect(f.ping.lost).toBe(0);
      expect(f.programsLeft).toEqual([]);
      expect(f.memory.treePeak).toBeLessThan(memoryBound(SESSIONS));
      expect(await agentAlive(agent)).toBe(true);
    },
    120_000 + SESSIONS * 10_000,
  );
});
