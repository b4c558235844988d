import { Socket } from 'node:net';
import { BpfObject, libc } from '@bpfplay/libbpf';
import { FRAME_PIPE_FD, FramePipeWriter } from './frame-pipe.js';
import type { FromRunner, ToRunner } from './ipc.js';
import { HostRun, type RunHooks } from './host-run.js';
import { decodersFor } from '../stream/decoders.js';
import { runProbes } from '../probe/run-probes.js';
import { warmUp } from './warm-up.js';
import { GuestRun } from '../guest/guest-run.js';
import { Guest } from '../guest/qemu.js';

/**
 * Entry of a runner process (dist/runner.js), forked by the agent with an IPC channel. It owns the
 * kernel objects of exactly one run, so when it exits for any reason the kernel releases them.
 */
const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/** Frames, state and done go through the frame pipe (in order, without V8 serialization). */
const pipe = new FramePipeWriter(new Socket({ fd: FRAME_PIPE_FD, readable: false, writable: true }));

function send(m: FromRunner): void {
  if (m.t === 'frame' || m.t === 'binary' || m.t === 'state' || m.t === 'done') pipe.send(m);
  else if (process.connected) process.send?.(m);
}

// If the agent dies (even by SIGKILL) the kernel kills us too, closing every BPF fd we hold.
libc.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
if (process.ppid === 1) process.exit(1); // the agent died before prctl took effect
process.on('disconnect', () => {
  guest?.kill();
  BpfObject.closeAll();
  process.exit(0);
});

let run: HostRun | GuestRun | undefined;
/** A guest booted ahead of its run (a warm guest), or the one this runner's run is using. */
let guest: Guest | undefined;

process.on('message', (m: ToRunner) => {
  switch (m.t) {
    case 'start': {
      if (run) return;
      const spec = { ...m.spec, object: new Uint8Array(m.spec.object) };
      const target = spec.target !== undefined ? { target: spec.target } : {};
      const hooks: RunHooks = {
        emit: (type, payload) =>
          send({ t: 'frame', type, json: JSON.stringify({ type, runId: spec.runId, ...target, ...payload }) }),
        // The pipe writer keeps its own copy, so the outbox may reuse its buffer at once.
        emitJson: (type, frame) => send({ t: 'frame', type, json: frame }),
        emitBinary: (header, records) => send({ t: 'binary', header, records }),
        backlog: () => pipe.backlog(),
        state: (state, message) => send({ t: 'state', state, ...(message ? { message } : {}) }),
        done: (reason, message, stats) => {
          send({ t: 'done', reason, message, stats });
          // Leave once the agent has everything; it also kills us if we linger.
          pipe.end(() => process.exit(0));
        },
      };
      if (spec.guest) {
        guest ??= new Guest(spec.guest.kernel, spec.guest.machine);
        const g = new GuestRun(spec, guest, (obj) => decodersFor(obj, spec), hooks);
        run = g;
        void g.start();
      } else {
        const h = new HostRun(spec, (obj) => decodersFor(obj, spec), hooks);
        run = h;
        h.start();
      }
      break;
    }
    case 'boot':
      if (!run && !guest) {
        guest = new Guest(m.guest.kernel, m.guest.machine);
        // An idle warm guest must not keep this runner alive on its own; a run refs it.
        guest.ref(false);
        guest.ready.then(
          (r) => send({ t: 'booted', bootMs: r.bootMs }),
          (e: Error) => send({ t: 'boot-failed', message: e.message }),
        );
      }
      break;
    case 'stop':
      if (run instanceof GuestRun) run.finishRun(m.reason, m.message);
      else run?.finish(m.reason, m.message);
      if (!run) {
        guest?.kill();
        process.exit(0);
      }
      break;
    case 'pause':
      run?.setPaused(m.paused);
      break;
    case 'share':
      run?.outbox.setShare(m.share);
      break;
    case 'warm':
      if (!run) warmUp(new Uint8Array(m.object));
      break;
    case 'probe':
      send({ t: 'probed', results: runProbes(m.probes) });
      setTimeout(() => process.exit(0), 50);
      break;
  }
});

send({ t: 'ready' });
