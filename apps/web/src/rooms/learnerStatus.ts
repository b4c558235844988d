import { endedWell } from '@bpfplay/protocol';
import type { ConnectionState } from '../state/socket/connectionState';
import { failureOf, type RunView } from '../state/run';
import type { ChannelState } from './useRoomChannel';

export interface LearnerStatus {
  /** The connection, in a learner's words. */
  text: string;
  tone: 'muted' | 'active' | 'error';
  /** The current run or check: never blank while something is happening, so the page never looks frozen. */
  run: string;
}

/**
 * What the learner's status line says. A room learner never sees tokens or agent URLs: the web
 * server relays, so every problem is said as "the room" or "the agent", with what happens next.
 */
export function learnerStatus(
  conn: ConnectionState,
  channel: ChannelState,
  run: RunView | null,
  now: number,
): LearnerStatus {
  const runText = describeRun(run, now);
  // The room's own words ("the instructor ended this room; …"): plain already.
  if (channel.kind === 'refused' && channel.over) return { text: channel.why, tone: 'error', run: runText };
  if (channel.kind === 'refused')
    return { text: `the room refused this browser: ${channel.why}`, tone: 'error', run: runText };
  switch (conn.kind) {
    case 'ready':
      return { text: 'connected', tone: 'muted', run: runText };
    case 'idle':
    case 'connecting':
    case 'handshake':
      return { text: 'connecting to the agent…', tone: 'active', run: runText };
    case 'retrying': {
      const secs = Math.max(0, Math.ceil((conn.retryAt - now) / 1000));
      const why = conn.lastClose.reason || 'connection lost';
      return { text: `${why} — trying again in ${secs} s`, tone: 'error', run: runText };
    }
    case 'refused':
      return {
        text: `the room refused this browser (${conn.reason || conn.code}): join again`,
        tone: 'error',
        run: runText,
      };
  }
}

function describeRun(run: RunView | null, now: number): string {
  if (!run) return '';
  if (run.state === 'queued') {
    // The relay's own words: position and estimate (server/relay.ts), updated as the line moves.
    const said = [...run.steps].reverse().find((s) => s.state === 'queued' && s.message)?.message;
    return said ? `waiting: ${said}` : 'waiting for the agent…';
  }
  if (run.state === 'running' && run.runningSince !== null)
    return `running ${Math.max(0, Math.floor((now - run.runningSince) / 1000))} s`;
  if (run.state !== 'stopped') return `${run.state}…`;
  // A run that failed or was refused says why here too, not only in the output below.
  const why = failureOf(run) ?? (run.stopped && !endedWell(run.stopped.reason) ? run.stopped.message : null);
  return why ? `stopped: ${why}` : '';
}
