import { readdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { setPriority } from 'node:os';
import { BpfObject, libc } from '@bpfplay/libbpf';
import { FRAME_PIPE_FD, FramePipeWriter } from './frame-pipe.js';
import { RUNNER_NICE_ENV, type FromRunner, type RunSpec, type ToRunner } from './ipc.js';
import { HostRun, type RunHooks } from './host-run.js';
import { decodersFor } from '../stream/decoders.js';
import { runProbes } from '../probe/run-probes.js';
import { warmUp } from './warm-up.js';
import { GuestRun } from '../guest/guest-run.js';
import { Guest } from '../guest/qemu.js';

/**
 * Entry of a runner process (dist/runner.js), forked by the agent with an IPC channel. It hosts the
 * runs the agent starts in it, each in its own slot (up to --runs-per-runner at once): a run closes
 * its own programs, links, maps and buffers before it reports `done`, and when the process exits for
 * any reason the kernel releases whatever its runs still held.
 */
const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/** Frames, state and done go through the frame pipe (in order, without V8 serialization). */
const pipe = new FramePipeWriter(new Socket({ fd: FRAME_PIPE_FD, readable: false, writable: true }));

function send(m: FromRunner): void {
  if (process.connected) process.send?.(m);
}

// Linux nice is per thread: every thread Node has started so far, and the main one, whose nice
// the threads it starts later inherit.
const nice = Number(process.env[RUNNER_NICE_ENV] ?? 0);
if (nice > 0) {
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // A thread that ended meanwhile.
    }
  }
}

// If the agent dies (even by SIGKILL) the kernel kills us too, closing every BPF fd we hold.
libc.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
if (process.ppid === 1) process.exit(1); // the agent died before prctl took effect
process.on('disconnect', () => {
  guest?.kill();
  BpfObject.closeAll();
  process.exit(0);
});

/** The runs of this process, by slot. */
const runs = new Map<number, HostRun | GuestRun>();
/** A guest booted ahead of its run (a warm guest), or the one this runner's run is using. */
let guest: Guest | undefined;

function startRun(slot: number, raw: RunSpec, exitWhenDone: boolean): void {
  if (runs.has(slot)) return;
  const spec = { ...raw, object: new Uint8Array(raw.object) };
  const target = spec.target !== undefined ? { target: spec.target } : {};
  const hooks: RunHooks = {
    emit: (type, payload) =>
      pipe.send({ t: 'frame', slot, type, json: JSON.stringify({ type, runId: spec.runId, ...target, ...payload }) }),
    // The pipe writer keeps its own copy, so the outbox may reuse its buffer at once.
    emitJson: (type, frame) => pipe.send({ t: 'frame', slot, type, json: frame }),
    emitBinary: (header, records) => pipe.send({ t: 'binary', slot, header, records }),
    backlog: () => pipe.backlog(),
    state: (state, message) => pipe.send({ t: 'state', slot, state, ...(message ? { message } : {}) }),
    done: (reason, message, stats) => {
      // The run has closed its kernel objects (HostRun.finish, GuestRun: the VM is gone).
      runs.delete(slot);
      pipe.send({ t: 'done', slot, reason, message, stats });
      // Leave once the agent has everything; it also kills us if we linger.
      if (exitWhenDone) pipe.end(() => process.exit(0));
    },
  };
  if (spec.guest) {
    guest ??= new Guest(spec.guest.kernel, spec.guest.machine);
    const g = new GuestRun(spec, guest, (obj) => decodersFor(obj, spec), hooks);
    runs.set(slot, g);
    void g.start();
  } else {
    const h = new HostRun(spec, (obj) => decodersFor(obj, spec), hooks);
    runs.set(slot, h);
    h.start();
  }
}

process.on('message', (m: ToRunner) => {
  switch (m.t) {
    case 'start':
      startRun(m.slot, m.spec, m.exitWhenDone);
      break;
    case 'boot':
      if (!runs.size && !guest) {
        guest = new Guest(m.guest.kernel, m.guest.machine);
        // An idle warm guest must not keep this runner alive on its own; a run refs it.
        guest.ref(false);
        guest.ready.then(
          (r) => send({ t: 'booted', bootMs: r.bootMs }),
          (e: Error) => send({ t: 'boot-failed', message: e.message }),
        );
      }
      break;
    case 'stop': {
      const run = runs.get(m.slot);
      if (run instanceof GuestRun) run.finishRun(m.reason, m.message);
      else run?.finish(m.reason, m.message);
      break;
    }
    case 'pause':
      runs.get(m.slot)?.setPaused(m.paused);
      break;
    case 'share':
      runs.get(m.slot)?.outbox.setShare(m.share);
      break;
    case 'warm':
      if (!runs.size) warmUp(new Uint8Array(m.object));
      break;
    case 'probe':
      send({ t: 'probed', results: runProbes(m.probes) });
      setTimeout(() => process.exit(0), 50);
      break;
  }
});

send({ t: 'ready' });
