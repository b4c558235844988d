'use client';

import { useState } from 'react';
import type { TriggerRun } from '../state/agentStore';
import { formatMs } from '../state/format';

export interface TriggerBarProps {
  example: string;
  /** The example's meta.json trigger, as the gallery serves it. */
  command: string;
  /** The agent lists this example among those whose trigger it runs. */
  agentRuns: boolean;
  /** A run is attached: the trigger has something to make fire. */
  running: boolean;
  state: TriggerRun | null;
  onRun(): void;
}

/**
 * "The trigger" the gallery's descriptions talk about: the shell command that makes the example's
 * probes fire, shown with a copy button (to run it in a terminal on the agent's machine), and a
 * button that asks the agent to run that same command — the agent runs its own copy of meta.json's
 * trigger, never text from the page.
 */
export function TriggerBar(p: TriggerBarProps) {
  const [copied, setCopied] = useState(false);
  const mine = p.state?.example === p.example ? p.state : null;
  const pending = mine !== null && mine.result === null && mine.error === null;
  const blocked = !p.agentRuns
    ? 'This agent does not offer this trigger: copy it and run it in a terminal on the agent’s machine.'
    : !p.running
      ? 'Run the program first: the trigger makes it fire.'
      : null;
  const r = mine?.result;
  return (
    <div className="trigger-bar" data-testid="trigger-bar">
      <span className="trigger-label" title="A command that makes this example's probes fire">
        trigger
      </span>
      <code className="trigger-command" title={p.command} data-testid="trigger-command">
        {p.command}
      </code>
      <button
        className="btn-small"
        onClick={() =>
          void navigator.clipboard.writeText(p.command).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
        data-testid="trigger-copy"
      >
        {copied ? 'copied' : 'copy'}
      </button>
      <button
        className="btn-small"
        onClick={p.onRun}
        disabled={blocked !== null || pending}
        title={blocked ?? 'Ask the agent to run this command once (as the user nobody)'}
        data-testid="trigger-run"
      >
        {pending ? 'running…' : 'run trigger'}
      </button>
      {mine?.error && (
        <span className="error-text trigger-result" data-testid="trigger-result">
          {mine.error}
        </span>
      )}
      {r && (
        <span
          className={`trigger-result ${r.exitCode === 0 ? 'muted' : 'warn'}`}
          title={r.output || 'no output'}
          data-testid="trigger-result"
        >
          {r.timedOut
            ? `stopped after ${formatMs(r.durationMs)} (time limit)`
            : `ran as ${r.user}: exit ${r.exitCode ?? r.signal} in ${formatMs(r.durationMs)}`}
        </span>
      )}
    </div>
  );
}
