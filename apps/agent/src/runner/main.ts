import { Socket } from 'node:net';
import { BpfObject, libc } from '@bpfplay/libbpf';
import { FRAME_PIPE_FD, FramePipeWriter } from './frame-pipe.js';
import type { FromRunner, ToRunner } from './ipc.js';
import { HostRun } from './host-run.js';
import { decodersFor } from '../stream/decoders.js';
import { runProbes } from '../probe/run-probes.js';
import { warmUp } from './warm-up.js';

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
  BpfObject.closeAll();
  process.exit(0);
});

let run: HostRun | undefined;

process.on('message', (m: ToRunner) => {
  switch (m.t) {
    case 'start': {
      if (run) return;
      const spec = { ...m.spec, object: new Uint8Array(m.spec.object) };
      run = new HostRun(spec, (obj) => decodersFor(obj, spec), {
        emit: (type, payload) =>
          send({ t: 'frame', type, json: JSON.stringify({ type, runId: spec.runId, ...payload }) }),
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
      });
      run.start();
      break;
    }
    case 'stop':
      run?.finish(m.reason, m.message);
      if (!run) process.exit(0);
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
