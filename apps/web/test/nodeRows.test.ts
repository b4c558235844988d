import { describe, expect, it } from 'vitest';
import { nodeRow, nodesHeadline } from '../src/state/nodeRows';

const now = Date.parse('2026-12-05T08:00:00Z');

describe('the node list page', () => {
  it('shows an up node with kernel, machine, capabilities, load and when it last answered', () => {
    const row = nodeRow(
      {
        name: 'lab-1',
        health: 'up',
        hostname: 'worker-1',
        kernelRelease: '6.12.9-cloud-amd64',
        arch: 'x64',
        cpus: 2,
        attach: ['tracepoint', 'kprobe'],
        runTargets: ['host', '5.10'],
        maxConcurrentRuns: 4,
        prebuiltObjects: true,
        load: { runs: 1, sessions: 3, loadAvg1: 0.5 },
        lastUp: now - 4000,
        checkedAt: now - 4000,
      },
      now,
    );
    expect(row).toEqual({
      name: 'lab-1',
      health: 'up',
      healthText: 'up',
      kernel: '6.12.9-cloud-amd64',
      machine: 'worker-1 · x64 · 2 CPUs',
      attach: ['tracepoint', 'kprobe'],
      extras: ['runs on 5.10', 'takes shipped objects'],
      load: '1/4 runs · 3 sessions · load 0.50',
      lastUp: '4 s ago',
    });
  });

  it('keeps what was known of a node that went down, with the reason', () => {
    const row = nodeRow(
      {
        name: 'lab-2',
        health: 'down',
        error: 'connect ECONNREFUSED',
        kernelRelease: '6.1.0',
        lastUp: now - 5 * 60_000,
      },
      now,
    );
    expect(row).toMatchObject({
      healthText: 'down: connect ECONNREFUSED',
      kernel: '6.1.0',
      load: '—',
      lastUp: '5 min ago',
    });
    expect(nodeRow({ name: 'lab-3', health: 'unknown' }, now)).toMatchObject({
      healthText: 'not checked yet',
      lastUp: 'never',
    });
  });

  it('says how many nodes are up, that none are configured, or why the list is unreadable', () => {
    expect(
      nodesHeadline({
        configured: true,
        nodes: [
          { name: 'a', health: 'up' },
          { name: 'b', health: 'down' },
        ],
      }),
    ).toBe('1 of 2 nodes up');
    expect(nodesHeadline({ configured: false, nodes: [] })).toMatch(/no BPFPLAY_AGENTS_FILE or BPFPLAY_AGENTS_SERVICE/);
    expect(nodesHeadline({ configured: true, nodes: [], error: 'agents.txt: no such file' })).toBe(
      'The node list could not be read: agents.txt: no such file',
    );
  });
});
