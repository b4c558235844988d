import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { REPO, useSharedAgent } from '../harness/agent-process.js';
import { connect } from '../harness/ws-client.js';

const agent = useSharedAgent();

const is =
  <T extends ServerMessage['type']>(type: T) =>
  (m: ServerMessage): m is ServerMessageOf<T> =>
    m.type === type;

const example = (name: string, ...files: string[]) =>
  files.map((f) => ({ name: f, content: readFileSync(join(REPO, 'bpf', name, f), 'utf8') }));

/**
 * The gallery's descriptions talk about "the trigger": the agent runs an example's own trigger from
 * its copy of bpf/<example>/meta.json when asked by name, and never a command a client sends.
 */
describe('example triggers', () => {
  it('hello lists the examples that have one', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    const hello = await c.waitFor(is('hello'));
    expect(hello.capabilities.triggers).toContain('execsnoop');
    expect(hello.capabilities.triggers).toContain('runqlat');
    expect(hello.capabilities.triggers).not.toContain('tasklist');
    c.close();
  });

  it('running execsnoop’s trigger makes execsnoop print its execs, run as nobody', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    c.send({
      type: 'run',
      runId: 'trig',
      snippet: { files: example('execsnoop', 'execsnoop.bpf.c', 'execsnoop.h') },
      options: { durationSec: 30 },
    });
    await c.waitFor((m) => m.type === 'status' && m.state === 'running', 60_000);
    c.send({ type: 'trigger', example: 'execsnoop' });
    const done = await c.waitFor(is('triggered'));
    expect(done).toMatchObject({
      example: 'execsnoop',
      command: JSON.parse(readFileSync(join(REPO, 'bpf/execsnoop/meta.json'), 'utf8')).trigger,
      exitCode: 0,
      timedOut: false,
      user: 'nobody (uid 65534)',
    });
    const exec = await c.waitFor(
      (m) =>
        m.type === 'events' &&
        m.records.some((r) => {
          const v = r.value as Record<string, unknown>;
          return v.comm === 'true' && v.uid === 65534;
        }),
    );
    expect(exec.type).toBe('events');
    c.send({ type: 'stop', runId: 'trig' });
    await c.waitFor(is('stopped'));
    c.close();
  });

  it('refuses names it has no trigger for, a second trigger at once, and anything that is not a name', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    await c.waitFor(is('hello'));
    c.send({ type: 'trigger', example: 'no-such-example' });
    expect((await c.waitFor(is('error'))).message).toMatch(/no trigger for an example named "no-such-example"/);
    c.send({ type: 'trigger', example: '../../etc' });
    const bad = await c.waitFor((m) => m.type === 'error' && m.code === 'bad-message');
    expect(bad.type).toBe('error');
    // A command is not something a client can send: the field does not exist, and what runs is meta.json's.
    c.send({ type: 'trigger', example: 'hello', command: 'echo pwned' });
    const hello = (await c.waitFor(is('triggered'))) as ServerMessageOf<'triggered'>;
    expect(hello.command).toBe(JSON.parse(readFileSync(join(REPO, 'bpf/hello/meta.json'), 'utf8')).trigger);
    expect(hello.output).not.toContain('pwned');
    // runqlat's trigger takes about a second: the next one waits for it.
    c.send({ type: 'trigger', example: 'runqlat' });
    c.send({ type: 'trigger', example: 'runqlat' });
    const busy = await c.waitFor((m) => m.type === 'error' && m.code === 'busy');
    expect((busy as ServerMessageOf<'error'>).message).toMatch(/still running/);
    const ran = (await c.waitFor(
      (m) => m.type === 'triggered' && m.example === 'runqlat',
      30_000,
    )) as ServerMessageOf<'triggered'>;
    expect(ran.exitCode).toBe(0);
    c.close();
  });
});
