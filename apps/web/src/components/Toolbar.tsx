'use client';

import { useState } from 'react';
import { CLOSE_CODES } from '@bpfplay/protocol';
import { EXPORT_FORMATS, type ExportFormat } from '../hooks/useSideRuns';
import type { ConnectionState } from '../state/socket/connectionState';
import type { Theme } from '../state/workspace';

export const DURATIONS = [5, 10, 30, 60, 120, 300, 600] as const;

export interface ToolbarProps {
  /** The title shown: the user's, else the example's, else "untitled snippet". */
  title: string;
  /** Given: the title is an input the user can edit (empty goes back to the shown default). */
  userTitle?: string | undefined;
  onTitle?(title: string): void;
  onNew?(): void;
  onSnippets?(): void;
  running: boolean;
  canRun: boolean;
  runBlockedReason: string | null;
  durationSec: number;
  maxDurationSec: number | null;
  connection: ConnectionState;
  theme: Theme;
  sidebarOpen: boolean;
  onRun(mode: 'run' | 'compile'): void;
  onStop(): void;
  onDuration(sec: number): void;
  onToggleSidebar(): void;
  onTheme(t: Theme): void;
  onSettings(): void;
  onHelp(): void;
  onShare(): void;
  /** Download the snippet as a libbpf project (.tar or .zip) the agent generates, or its compiled object. */
  onExport(format: ExportFormat): void;
  exporting: boolean;
  /** The short link this snippet came from or was last shared as. */
  shared: { id: string; forkedFrom?: string } | null;
}

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const modKey = () => (isMac() ? '⌘' : 'Ctrl');

export function Toolbar(p: ToolbarProps) {
  const [exportFormat, setExportFormat] = useState<ExportFormat>('tar');
  const durations = DURATIONS.filter((d) => p.maxDurationSec === null || d <= p.maxDurationSec);
  return (
    <header className="toolbar" role="toolbar" aria-label="Playground">
      <button
        className="icon-btn"
        onClick={p.onToggleSidebar}
        aria-pressed={p.sidebarOpen}
        title="Examples (Alt+E)"
        data-testid="toggle-examples"
      >
        ☰
      </button>
      <span className="brand">bpfplay</span>
      {p.onTitle ? (
        <input
          className="title title-input"
          value={p.userTitle ?? ''}
          placeholder={p.title}
          onChange={(e) => p.onTitle?.(e.target.value)}
          aria-label="Snippet title"
          title="The snippet's title (as listed in My snippets)"
          spellCheck={false}
          data-testid="snippet-title"
        />
      ) : (
        <span className="title" title={p.title}>
          {p.title}
        </span>
      )}
      {p.onNew && (
        <button
          className="btn"
          onClick={p.onNew}
          title="Start a new snippet (this one stays in My snippets)"
          data-testid="new-snippet"
        >
          New
        </button>
      )}
      {p.onSnippets && (
        <button
          className="btn"
          onClick={p.onSnippets}
          title="Your snippets in this browser, with their history"
          data-testid="open-snippets"
        >
          My snippets
        </button>
      )}
      {p.shared && <SharedInfo id={p.shared.id} forkedFrom={p.shared.forkedFrom} />}
      <div className="toolbar-actions">
        {p.running ? (
          <button className="btn btn-stop" onClick={p.onStop} title="Stop (Esc or Ctrl+.)" data-testid="stop">
            ■ Stop
          </button>
        ) : (
          <button
            className="btn btn-run"
            onClick={() => p.onRun('run')}
            disabled={!p.canRun}
            title={p.runBlockedReason ?? `Run (${modKey()}+Enter)`}
            data-testid="run"
          >
            ▶ Run
          </button>
        )}
        <button
          className="btn"
          onClick={() => p.onRun('compile')}
          disabled={!p.canRun || p.running}
          title={`Compile and check only: nothing is loaded (${modKey()}+Shift+Enter)`}
          data-testid="compile"
        >
          Check
        </button>
        <label className="duration" title="The agent stops the run after this long">
          <span>for</span>
          <select
            value={p.durationSec}
            onChange={(e) => p.onDuration(Number(e.target.value))}
            data-testid="duration"
            aria-label="Run duration"
          >
            {durations.map((d) => (
              <option key={d} value={d}>
                {d < 60 ? `${d} s` : `${d / 60} min`}
              </option>
            ))}
            {!durations.includes(p.durationSec as (typeof DURATIONS)[number]) && (
              <option value={p.durationSec}>{p.durationSec} s</option>
            )}
          </select>
        </label>
        <button
          className="btn"
          onClick={p.onShare}
          title="Share: short link, link with the code, Markdown, embed, download"
          data-testid="share"
        >
          Share
        </button>
        <span className="export-group">
          <button
            className="btn"
            onClick={() => p.onExport(exportFormat)}
            disabled={!p.canRun || p.exporting}
            title={`Export ${EXPORT_FORMATS.find((f) => f.format === exportFormat)!.title}, to build and run without the playground`}
            data-testid="export"
          >
            {p.exporting ? 'Exporting…' : 'Export'}
          </button>
          <select
            value={exportFormat}
            onChange={(e) => setExportFormat(e.target.value as ExportFormat)}
            aria-label="Export format"
            title="What Export downloads"
            data-testid="export-format"
          >
            {EXPORT_FORMATS.map((f) => (
              <option key={f.format} value={f.format} title={f.title}>
                {f.label}
              </option>
            ))}
          </select>
        </span>
      </div>
      <div className="toolbar-right">
        <ConnectionPill state={p.connection} />
        <button
          className="icon-btn"
          onClick={() => p.onTheme(p.theme === 'dark' ? 'light' : 'dark')}
          title="Switch theme (Alt+T)"
          data-testid="theme"
        >
          {p.theme === 'dark' ? '☀' : '☾'}
        </button>
        <button
          className="icon-btn"
          onClick={p.onSettings}
          title="Connection settings (Alt+,)"
          data-testid="open-settings"
        >
          ⚙
        </button>
        <button className="icon-btn" onClick={p.onHelp} title="Help and keyboard shortcuts (?)" data-testid="open-help">
          ?
        </button>
      </div>
    </header>
  );
}

function ConnectionPill({ state }: { state: ConnectionState }) {
  let cls = 'off';
  let text = 'not connected';
  let title = '';
  switch (state.kind) {
    case 'ready': {
      const c = state.hello.capabilities;
      cls = 'ok';
      text = `${state.hello.agent.hostname} · ${c.kernelRelease}`;
      title = `agent ${state.hello.agent.version} at ${state.url}\n${c.arch}, ${c.cpus} CPUs, BTF ${c.btf ? 'present' : 'missing'}`;
      break;
    }
    case 'connecting':
    case 'handshake':
      cls = 'wait';
      text = 'connecting…';
      title = state.url;
      break;
    case 'retrying':
      cls = 'bad';
      text = 'agent unreachable';
      title = state.url;
      break;
    case 'refused':
      cls = 'bad';
      text =
        state.code === CLOSE_CODES.unauthorized ? (state.tokenSent ? 'wrong token' : 'no token') : 'origin refused';
      title = state.url;
      break;
  }
  return (
    <span className={`conn conn-${cls}`} title={title} data-testid="connection" data-state={state.kind}>
      <span className="dot" />
      {text}
    </span>
  );
}

function SharedInfo({ id, forkedFrom }: { id: string; forkedFrom?: string | undefined }) {
  return (
    <span className="shared-info small" data-testid="shared-info">
      <a href={`/s/${id}`} title="The short link of this snippet" data-testid="shared-id">
        /s/{id}
      </a>
      {forkedFrom && (
        <span data-testid="forked-from">
          {' '}
          · forked from{' '}
          <a href={`/s/${forkedFrom}`} title="The snippet this one was made from">
            {forkedFrom}
          </a>
        </span>
      )}
    </span>
  );
}
