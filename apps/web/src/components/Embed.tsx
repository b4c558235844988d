'use client';

import dynamic from 'next/dynamic';
import { useMemo, useRef, useState } from 'react';
import { playgroundUrl, shortLinkPath } from '@bpfplay/share';
import { usePageAgent } from '../hooks/usePageAgent';
import { useEmbedWorkspace } from '../hooks/useEmbedWorkspace';
import { useAutoPane } from '../hooks/useAutoPane';
import { useRunControls } from '../hooks/useRunControls';
import { connectionBanner } from '../state/socket/connectionState';
import { useRunMarkers } from '../hooks/useRunMarkers';
import { hasIterator, isActive } from '../state/run';
import { sameCode, shareStateOf, stateOfStored, type StoredSnippet } from '../share/shareState';
import type { EditorApi } from '../editor/EditorView';
import type { PaneId } from './OutputPanel';
import { ConsolePane } from './panes/ConsolePane';
import { IterPane } from './panes/IterPane';
import { EventsPane } from './panes/EventsPane';
import { ProblemsPane } from './panes/ProblemsPane';
import { StatusBar } from './StatusBar';
import { SettingsDialog } from './SettingsDialog';
import { PANE_INTERVAL_MS, useThrottledStreamVersion } from '../hooks/useStreamVersion';
import type { AgentStore } from '../state/agentStore';
import type { EditorMarker } from '../state/markers';

const EditorView = dynamic(() => import('../editor/EditorView'), {
  ssr: false,
  loading: () => <div className="editor-host editor-loading">loading editor…</div>,
});

const EMBED_PANES = ['console', 'iter', 'events', 'problems'] as const;
type EmbedPane = (typeof EMBED_PANES)[number];
const TITLES: Record<EmbedPane, string> = {
  console: 'Console',
  iter: 'Iterator',
  events: 'Events',
  problems: 'Problems',
};

/**
 * /embed/<id>: the snippet, Run/Stop and its output, small enough for an iframe in a tutorial.
 * Edits stay in the frame; "Open in playground" carries them along (as a link with the code in it).
 */
export function Embed({ snippet }: { snippet: StoredSnippet }) {
  const { ws, update } = useEmbedWorkspace(snippet);
  const page = usePageAgent(ws, update);
  const { act, target, agent } = page;
  const { store, now } = agent;
  const [pane, setPane] = useState<PaneId>('console');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const editorApi = useRef<EditorApi | null>(null);
  const run = store.run;
  const files = useMemo(() => ws?.snippet.files ?? [], [ws]);
  const {
    fileNames,
    markers: { onFiles, elsewhere },
  } = useRunMarkers(run, files, ws?.snippet.main);
  const theme = ws?.settings.theme ?? 'dark';
  const userPicked = useAutoPane(
    run,
    store.streams,
    (p) => (EMBED_PANES as readonly string[]).includes(p) && setPane(p),
  );

  const controls = useRunControls({ ws, page, editor: editorApi, onStart: () => (userPicked.current = false) });
  const { running, connected, runError } = controls;
  const startRun = () => controls.start('run');
  const stopRun = controls.stop;

  if (!ws) return <div className="embed app-loading">loading…</div>;
  const edited = !sameCode(shareStateOf(ws), stateOfStored(snippet));
  // Unedited: the short link. Edited: a link with the edited code in it (no server needed).
  const openHref = edited
    ? playgroundUrl(
        `${window.location.origin}/`,
        shareStateOf(ws, { textOf: (n) => editorApi.current?.currentText(n) }).files,
        ws.snippet.main ? { main: ws.snippet.main } : {},
      )
    : shortLinkPath(snippet.id);
  const banner = connectionBanner(store.connection, now, window.location.origin);
  return (
    <div className="embed" data-testid="embed">
      <header className="embed-bar">
        {running ? (
          <button className="btn btn-stop" onClick={stopRun} data-testid="stop">
            ■ Stop
          </button>
        ) : (
          <button
            className="btn btn-run"
            onClick={startRun}
            disabled={!connected}
            title={connected ? 'Run (Ctrl+Enter)' : 'Not connected to an agent'}
            data-testid="run"
          >
            ▶ Run
          </button>
        )}
        <div className="embed-tabs" role="tablist">
          {fileNames.map((n) => (
            <button
              key={n}
              role="tab"
              aria-selected={n === ws.snippet.active}
              className={`pane-tab ${n === ws.snippet.active ? 'pane-tab-active' : ''}`}
              onClick={() => act({ type: 'file-selected', name: n })}
              data-testid={`tab-${n}`}
            >
              {n}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <button
          className="icon-btn"
          onClick={() => setSettingsOpen(true)}
          title="Connection settings"
          data-testid="open-settings"
        >
          ⚙
        </button>
        <a
          className="btn embed-open"
          href={openHref}
          target="_blank"
          rel="noreferrer"
          data-testid="open-in-playground"
          title={edited ? 'Opens your edited version' : `Opens /s/${snippet.id}`}
        >
          Open in playground ↗
        </a>
      </header>
      {/* Always present: the grid's rows are positional. */}
      <div>
        {target.pendingSwitch ? (
          <div className="embed-banner banner banner-warning" role="alert" data-testid="agent-switch">
            {target.pendingSwitch.question}
            <button className="btn-small" onClick={target.confirmSwitch} data-testid="agent-switch-confirm">
              connect to it
            </button>
            <button className="btn-small" onClick={target.declineSwitch} data-testid="agent-switch-cancel">
              stay
            </button>
          </div>
        ) : (
          (banner || runError) && (
            <div
              className={`embed-banner banner banner-${banner?.level ?? 'error'}`}
              role="alert"
              data-testid={banner ? 'banner' : 'run-error'}
            >
              {banner?.text ?? runError}
              {banner && (
                <button className="btn-small" onClick={() => setSettingsOpen(true)}>
                  settings
                </button>
              )}
            </div>
          )
        )}
      </div>
      <div className="embed-editor">
        <EditorView
          apiRef={editorApi}
          files={files}
          active={ws.snippet.active}
          theme={theme}
          markers={onFiles}
          reveal={null}
          highlight={null}
          onChange={(name, content) => act({ type: 'file-edited', name, content })}
          onCursorLine={() => {}}
          onRun={startRun}
          onCheck={() => {}}
          contentRevision={0}
          onStop={stopRun}
        />
      </div>
      <EmbedOutput
        store={store}
        pane={pane}
        onPane={(p) => ((userPicked.current = true), setPane(p))}
        onFiles={onFiles}
        elsewhere={elsewhere}
      />
      <StatusBar store={store} run={run} now={now} saveError={null} />
      <SettingsDialog
        open={settingsOpen}
        agentUrl={target.agentUrl ?? target.defaultUrl}
        defaultUrl={target.defaultUrl}
        token={target.token}
        {...(target.tokenFor ? { tokenFor: target.tokenFor } : {})}
        connection={store.connection}
        onClose={() => setSettingsOpen(false)}
        onSave={(url, token) => {
          act({ type: 'agent-set', agentUrl: url, defaultAgentUrl: target.defaultUrl, token });
          agent.reconnect();
        }}
      />
    </div>
  );
}

function EmbedOutput({
  store,
  pane,
  onPane,
  onFiles,
  elsewhere,
}: {
  store: AgentStore;
  pane: PaneId;
  onPane(p: EmbedPane): void;
  onFiles: EditorMarker[];
  elsewhere: EditorMarker[];
}) {
  const version = useThrottledStreamVersion(store, PANE_INTERVAL_MS);
  const run = store.run;
  return (
    <section className="embed-output" aria-label="Output">
      <div className="pane-tabs" role="tablist">
        {EMBED_PANES.filter((p) => p !== 'iter' || hasIterator(run)).map((p) => (
          <button
            key={p}
            role="tab"
            aria-selected={p === pane}
            className={`pane-tab ${p === pane ? 'pane-tab-active' : ''}`}
            onClick={() => onPane(p)}
            data-testid={`pane-tab-${p}`}
          >
            {TITLES[p]}
          </button>
        ))}
      </div>
      <div className="pane-host" role="tabpanel">
        {pane === 'events' ? (
          <EventsPane streams={store.streams} version={version} running={isActive(run)} />
        ) : pane === 'problems' ? (
          <ProblemsPane run={run} onFiles={onFiles} elsewhere={elsewhere} onJump={() => {}} />
        ) : pane === 'iter' ? (
          <IterPane run={run} />
        ) : (
          <ConsolePane streams={store.streams} run={run} version={version} />
        )}
      </div>
    </section>
  );
}
