'use client';

import { useState } from 'react';
import { agentUrlProblem } from '../state/socket/agentUrl';
import { agentOrigin } from '../state/socket/agentCredentials';
import type { ConnectionState } from '../state/socket/connectionState';
import { Dialog } from './Dialog';
import { DEFAULT_FONT_SIZE, FONT_SIZES } from '../state/workspace';

export interface SettingsDialogProps {
  open: boolean;
  agentUrl: string;
  defaultUrl: string;
  token: string | null;
  /** The token saved for another agent URL (each agent keeps its own; socket/agentCredentials.ts). */
  tokenFor?: (url: string) => string | null;
  connection: ConnectionState;
  onClose(): void;
  onSave(agentUrl: string | null, token: string | null): void;
  /** Text size in px; applied at once, saved with the settings. */
  fontSize?: number | undefined;
  /** Absent (the embed): no text size choice. */
  onFontSize?(px: number): void;
}

/** Where the agent is and the token to reach it; saved in localStorage like everything else. */
export function SettingsDialog(p: SettingsDialogProps) {
  return (
    <Dialog open={p.open} title="Settings" onClose={p.onClose} testId="settings">
      {p.onFontSize && (
        <label className="field">
          <span>Text size</span>
          <select
            value={p.fontSize ?? DEFAULT_FONT_SIZE}
            onChange={(e) => p.onFontSize?.(Number(e.target.value))}
            data-testid="settings-font-size"
          >
            {FONT_SIZES.map((px) => (
              <option key={px} value={px}>
                {px} px{px === DEFAULT_FONT_SIZE ? ' (default)' : px >= 16 ? ' (projector)' : ''}
              </option>
            ))}
          </select>
          <small>The editor and the panes; applies at once.</small>
        </label>
      )}
      <h3 className="settings-section">Connection</h3>
      <SettingsForm {...p} />
    </Dialog>
  );
}

function SettingsForm(p: SettingsDialogProps) {
  const [url, setUrl] = useState(p.agentUrl);
  const [token, setToken] = useState(p.token ?? '');
  const problem = url.trim() === '' ? null : agentUrlProblem(url.trim());
  const hello = p.connection.kind === 'ready' ? p.connection.hello : null;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (problem) return;
        const u = url.trim();
        p.onSave(u === '' || u === p.defaultUrl ? null : u, token.trim() === '' ? null : token.trim());
        p.onClose();
      }}
    >
      <label className="field">
        <span>Agent URL</span>
        <input
          value={url}
          onChange={(e) => {
            const next = e.target.value;
            // Another agent: its own token (or none), never the one typed for the previous agent.
            if (agentOrigin(next.trim()) !== agentOrigin(url.trim())) setToken(p.tokenFor?.(next.trim()) ?? '');
            setUrl(next);
          }}
          placeholder={p.defaultUrl}
          className="mono"
          data-testid="settings-agent-url"
          spellCheck={false}
        />
        <small>{problem ?? `Default: ${p.defaultUrl}. A page URL with ?agent=ws://host:port/ws sets this too.`}</small>
      </label>
      <label className="field">
        <span>Token</span>
        <input
          value={token}
          onChange={(e) => setToken(e.target.value)}
          type="password"
          autoComplete="off"
          className="mono"
          data-testid="settings-token"
        />
        <small>
          The agent prints it at start, in the URL to open (…/?token=…). It is saved for{' '}
          {agentOrigin(url.trim()) ?? 'this agent'} only and never sent to another agent.
        </small>
      </label>
      {hello && (
        <div className="agent-info">
          <h3>Connected agent</h3>
          <p>
            {hello.agent.hostname} · agent {hello.agent.version} · protocol {hello.version} · kernel{' '}
            {hello.capabilities.kernelRelease} ({hello.capabilities.arch}, {hello.capabilities.cpus} CPUs) · BTF{' '}
            {hello.capabilities.btf ? 'present' : 'missing'}
          </p>
          <table className="grid small">
            <tbody>
              {hello.capabilities.attach.map((a) => (
                <tr key={a.kind}>
                  <td className="mono">{a.kind}</td>
                  <td className={a.supported ? 'ok' : 'error-text'}>{a.supported ? 'supported' : 'not here'}</td>
                  <td>{[a.reason, a.hint].filter(Boolean).join(' — ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small muted">
            Limits: runs up to {hello.limits.maxRunSeconds} s, {hello.limits.maxEventsPerSec} events/s,{' '}
            {hello.limits.maxPrograms} programs, {hello.limits.maxConcurrentRuns} concurrent runs.
          </p>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={p.onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn-run" disabled={problem !== null} data-testid="settings-save">
          Save and reconnect
        </button>
      </div>
    </form>
  );
}
