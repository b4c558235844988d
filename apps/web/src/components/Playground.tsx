'use client';

import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ParamValue, SnippetFile } from '@bpfplay/protocol';
import { useWorkspace } from '../hooks/useWorkspace';
import { useExamples } from '../hooks/useExamples';
import { useShortcuts } from '../hooks/useShortcuts';
import { usePageAgent } from '../hooks/usePageAgent';
import { useSharing, type UndoOffer } from '../hooks/useSharing';
import { useCoReTargets } from '../hooks/useCoReTargets';
import { useRunControls } from '../hooks/useRunControls';
import type { StoredSnippet } from '../share/shareState';
import { useRunMarkers } from '../hooks/useRunMarkers';
import { connectionBanner, connectionStatus } from '../state/socket/connectionState';
import { fileActionProblem, type FileAction } from '../state/workspaceActions';
import type { Example } from '../examples/types';
import type { EditorApi, RevealRequest } from '../editor/EditorView';
import { Toolbar } from './Toolbar';
import { useSideRuns } from '../hooks/useSideRuns';
import { StatusBar } from './StatusBar';
import { FileTabs } from './FileTabs';
import { ExamplesSidebar } from './ExamplesSidebar';
import { OutputPanel, PANES, type PaneId } from './OutputPanel';
import { OutputPanes, paneBadges } from './OutputPanes';
import { SettingsDialog } from './SettingsDialog';
import { HelpDialog } from './HelpDialog';
import { ShareDialog } from './ShareDialog';
import { Banners } from './Banners';
import { pageBanners } from './pageBanners';
import { useAutoPane } from '../hooks/useAutoPane';
import { Splitter } from './Splitter';
import { runTargetsProps } from '../state/targets';
import { TriggerBar } from './TriggerBar';
import { useSnippetLibrary } from '../hooks/useSnippetLibrary';
import { ReplaceDialog, SnippetsDialog } from './SnippetsDialog';

// Monaco touches `window` at import: load it only in the browser.
const EditorView = dynamic(() => import('../editor/EditorView'), {
  ssr: false,
  loading: () => <div className="editor-host editor-loading">loading editor…</div>,
});

/** Below this width the gallery starts closed (☰ opens it). */
const NARROW_PX = 1200;

/** One empty list while the workspace loads, so the memos below do not recompute every render. */
const NO_FILES: SnippetFile[] = [];

/** The editor page. `shared` is the stored snippet when the page is /s/<id>. */
export function Playground({ shared }: { shared?: StoredSnippet } = {}) {
  const { ws, update, notice, dismissNotice, saveError } = useWorkspace();
  const page = usePageAgent(ws, update);
  const { act, target, agent } = page;
  const { store, now } = agent;
  // A page opened from a snippet link starts on the code, gallery closed (and so asks no server for it);
  // so does a narrow screen (a 1024×768 projector), where the gallery would squeeze the editor.
  const [sidebar, setSidebar] = useState(
    () =>
      shared === undefined &&
      !(typeof window !== 'undefined' && window.innerWidth < NARROW_PX) &&
      !(
        typeof window !== 'undefined' &&
        (/^#v\d+\//.test(window.location.hash) || new URLSearchParams(window.location.search).has('share'))
      ),
  );
  const [exampleParam] = useState(() =>
    typeof window === 'undefined' ? null : new URL(window.location.href).searchParams.get('example'),
  );
  // The current example's trigger comes from the gallery too.
  const { examples, error: examplesError } = useExamples(
    sidebar || exampleParam !== null || ws?.snippet.example !== undefined,
  );
  const [pane, setPane] = useState<PaneId>('console');
  const [dialog, setDialog] = useState<'settings' | 'help' | 'snippets' | null>(null);
  const [reveal, setReveal] = useState<RevealRequest | null>(null);
  const [cursor, setCursor] = useState<{ file: string; line: number } | null>(null);
  const [hoverLine, setHoverLine] = useState<{ file: string; line: number } | null>(null);
  const [addRequest, setAddRequest] = useState(0);
  const [split, setSplit] = useState(48);
  const [undo, setUndo] = useState<UndoOffer | null>(null);
  const [contentRevision, setContentRevision] = useState(0);
  const nonce = useRef(0);
  const editorApi = useRef<EditorApi | null>(null);

  const files = ws?.snippet.files ?? NO_FILES;
  const paramCount = store.params?.length ?? 0;
  const run = store.run;
  const {
    fileNames,
    main,
    mainName,
    stale,
    markers: { onFiles, elsewhere },
  } = useRunMarkers(run, files, ws?.snippet.main, true);
  const hello = store.hello;
  const theme = ws?.settings.theme ?? 'dark';
  const userPicked = useAutoPane(run, store.streams, setPane);

  const fontSize = ws?.settings.fontSize;
  useEffect(() => {
    const root = document.documentElement.style;
    if (fontSize === undefined) root.removeProperty('--ui-font-size');
    else root.setProperty('--ui-font-size', `${fontSize}px`);
  }, [fontSize]);
  // Informational notices go away by themselves; errors stay until they are fixed. An undo offer
  // stays until dismissed or replaced: it sits in the banner strip, where it covers nothing.
  useEffect(() => {
    if (!notice) return;
    const t = window.setTimeout(dismissNotice, 12_000);
    return () => window.clearTimeout(t);
  }, [notice, dismissNotice]);

  const jump = useCallback(
    (file: string, line: number) => {
      if (!fileNames.includes(file)) return;
      act({ type: 'file-selected', name: file });
      setReveal({ file, line, nonce: ++nonce.current });
    },
    [fileNames, act],
  );

  // Show the first error of a run once, where it is: a verifier failure in a long file is often
  // below the fold.
  const revealedFor = useRef<string | null>(null);
  const firstError = onFiles.find((m) => m.severity === 'error' && !m.stale);
  useEffect(() => {
    if (!run || !firstError || revealedFor.current === run.runId) return;
    revealedFor.current = run.runId;
    jump(firstError.file, firstError.line);
  }, [run, firstError, jump]);

  const controls = useRunControls({
    ws,
    page,
    editor: editorApi,
    // Read when Run is pressed; `core` is made below because its Check button runs a compile.
    knownTargets: () => core.known,
    onStart: () => (userPicked.current = false),
  });
  const { running, connected, runError, setRunError } = controls;
  const side = useSideRuns({ ws, store, send: agent.send, editor: editorApi, onError: setRunError });
  const startRun = controls.start;
  const stopRun = controls.stop;

  const core = useCoReTargets({
    store,
    ws,
    update,
    send: agent.send,
    onError: setRunError,
    check: () => (startRun('compile'), setPane('core'), (userPicked.current = true)),
    canCheck: connected && !running,
  });
  const sharing = useSharing({
    ws,
    update,
    stored: shared,
    contentReplaced: () => setContentRevision((n) => n + 1),
    offerUndo: setUndo,
    shareInput: () => ({
      textOf: (name) => editorApi.current?.currentText(name),
      isShareableTarget: core.isShareableTarget,
    }),
  });

  const currentExample = ws?.snippet.example ? examples?.find((e) => e.name === ws.snippet.example) : undefined;
  const defaultTitle = ws?.snippet.example
    ? (currentExample?.meta.title ?? ws.snippet.example)
    : ws?.snippet.shared
      ? 'shared snippet'
      : 'untitled snippet';
  const title = ws?.snippet.title ?? defaultTitle;
  const library = useSnippetLibrary({
    ws,
    act,
    examples,
    title,
    contentReplaced: () => setContentRevision((n) => n + 1),
  });

  const pickExample = (e: Example) => library.replace(`the ${e.name} example`, () => loadExample(e));
  const loadExample = (e: Example) => {
    if (!ws) return;
    setUndo({
      loaded: e.name,
      replaced: ws.snippet.example ?? (ws.snippet.shared ? `/s/${ws.snippet.shared.id}` : 'your snippet'),
      snippet: ws.snippet,
    });
    act({ type: 'example-loaded', example: e });
    // The address no longer names what is on screen; a reload of /s/<id> would open that again.
    if (window.location.pathname.startsWith('/s/')) window.history.replaceState(window.history.state, '', '/');
  };

  // `/?example=hello` opens that example (the gallery page links here).
  const exampleParamDone = useRef(false);
  useEffect(() => {
    if (exampleParamDone.current || !examples || !ws) return;
    exampleParamDone.current = true;
    const url = new URL(window.location.href);
    const name = exampleParam;
    if (name === null) return;
    const e = examples.find((x) => x.name === name);
    if (e) pickExample(e);
    else setRunError(`There is no example named "${name}" in bpf/.`);
    // Drop the parameter so reloading the page does not replace the edits with the example again.
    url.searchParams.delete('example');
    window.history.replaceState(window.history.state, '', url.toString());
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the examples and the workspace are first there
  }, [examples, ws]);

  useShortcuts({
    run: () => startRun('run'),
    check: () => startRun('compile'),
    stop: stopRun,
    pane: (i) => PANES[i] && (setPane(PANES[i]), (userPicked.current = true)),
    toggleExamples: () => setSidebar((s) => !s),
    addFile: () => setAddRequest((n) => n + 1),
    toggleTheme: () => act({ type: 'theme-toggled' }),
    settings: () => setDialog('settings'),
    help: () => setDialog('help'),
  });

  const banner = connectionBanner(store.connection, now, typeof window === 'undefined' ? '' : window.location.origin);
  const unsupported = useMemo(
    () =>
      new Map(
        (hello?.capabilities.attach ?? [])
          .filter((a) => !a.supported)
          .map((a) => [a.kind, a.reason ?? 'not supported here']),
      ),
    [hello],
  );

  const revertUndo = (u: UndoOffer) => (
    act({ type: 'snippet-restored', snippet: u.snippet }),
    setContentRevision((n) => n + 1),
    setUndo(null)
  );
  /** A file action, or the reason it cannot be done (shown by the file tabs). */
  const fileAction = (a: FileAction): string | null => {
    const problem = fileActionProblem(ws!, a);
    if (problem === null) act(a);
    return problem;
  };
  const banners = pageBanners({
    banner,
    connection: store.connection,
    openSettings: () => setDialog('settings'),
    target,
    sharing,
    runError,
    setRunError,
    notice,
    dismissNotice,
    library,
    undo,
    revertUndo,
    setUndo,
  });

  if (!ws) return <div className="app app-loading">loading…</div>;
  return (
    <div className="app">
      <Toolbar
        title={defaultTitle}
        userTitle={ws.snippet.title}
        onTitle={(t) => act({ type: 'title-set', title: t })}
        onNew={library.newSnippet}
        onSnippets={() => setDialog('snippets')}
        running={running}
        canRun={connected}
        runBlockedReason={connected ? null : connectionStatus(store.connection, now).text}
        durationSec={ws.settings.durationSec}
        maxDurationSec={hello?.limits.maxRunSeconds ?? null}
        connection={store.connection}
        theme={theme}
        sidebarOpen={sidebar}
        onRun={startRun}
        onStop={stopRun}
        onDuration={(d) => act({ type: 'duration-set', durationSec: d })}
        onToggleSidebar={() => setSidebar((s) => !s)}
        onTheme={(t) => act({ type: 'theme-set', theme: t })}
        onSettings={() => setDialog('settings')}
        onHelp={() => setDialog('help')}
        onShare={() => void sharing.share()}
        onExport={side.exportProject}
        exporting={side.exporting}
        shared={ws.snippet.shared ?? null}
      />
      <Banners items={banners} />
      <main
        className="workbench"
        style={{
          gridTemplateColumns: `${sidebar ? '216px ' : ''}minmax(0, ${split}fr) 6px minmax(0, ${100 - split}fr)`,
        }}
      >
        {sidebar && (
          <ExamplesSidebar
            examples={examples}
            error={examplesError}
            current={ws.snippet.example}
            unsupportedKinds={unsupported}
            onPick={pickExample}
          />
        )}
        <section className="editor-col" aria-label="Editor">
          <FileTabs
            files={files}
            active={ws.snippet.active}
            main={'name' in main ? main.name : null}
            markers={onFiles}
            addRequest={addRequest}
            onSelect={(name) => act({ type: 'file-selected', name })}
            onAdd={(name) => fileAction({ type: 'file-added', name })}
            onRename={(from, to) => fileAction({ type: 'file-renamed', from, to })}
            onDelete={(name) => fileAction({ type: 'file-deleted', name })}
          />
          <EditorView
            apiRef={editorApi}
            files={files}
            active={ws.snippet.active}
            theme={theme}
            {...(fontSize !== undefined ? { fontSize } : {})}
            markers={onFiles}
            reveal={reveal}
            highlight={hoverLine ? { file: hoverLine.file, lines: [hoverLine.line] } : null}
            onChange={(name, content) => act({ type: 'file-edited', name, content })}
            onCursorLine={(file, line) => setCursor({ file, line })}
            onRun={() => startRun('run')}
            onCheck={() => startRun('compile')}
            contentRevision={contentRevision}
            onStop={stopRun}
            mainFile={mainName}
            lsp={{
              client: agent.lsp,
              // The snippet as Run sends it: compile-as-you-type then leaves Run an object-cache hit.
              snippet: controls.snippet,
              openFile: jump,
            }}
          />
        </section>
        <Splitter value={split} onChange={setSplit} />
        <OutputPanel
          active={pane}
          onSelect={(p) => {
            setPane(p);
            userPicked.current = true;
          }}
          store={store}
          badgesOf={() => paneBadges(store.run, store, onFiles.length + elsewhere.length, paramCount)}
          header={
            currentExample?.meta.trigger && (
              <TriggerBar
                example={currentExample.name}
                command={currentExample.meta.trigger}
                agentRuns={hello?.capabilities.triggers?.includes(currentExample.name) ?? false}
                running={running && run?.attached !== null}
                state={store.trigger}
                onRun={() => agent.send(store.triggerMessage(currentExample.name))}
              />
            )
          }
        >
          <OutputPanes
            pane={pane}
            store={store}
            theme={theme}
            files={files}
            fileNames={fileNames}
            mainName={mainName}
            onFiles={onFiles}
            elsewhere={elsewhere}
            cursor={cursor}
            params={ws.snippet.params}
            onParam={(name: string, value: ParamValue | undefined) => act({ type: 'param-set', name, value })}
            onJump={jump}
            onHoverLine={setHoverLine}
            coreTargets={core.props}
            runTargets={runTargetsProps(ws.snippet.runTargets, hello, (targets) =>
              act({ type: 'run-targets-set', targets }),
            )}
            stale={stale}
            packetLab={{ canRun: connected, onRun: side.testRun, initial: currentExample?.meta.packetLab?.[0] }}
          />
        </OutputPanel>
      </main>
      <StatusBar store={store} run={run} now={now} saveError={saveError} />
      <SettingsDialog
        open={dialog === 'settings'}
        agentUrl={target.agentUrl ?? target.defaultUrl}
        defaultUrl={target.defaultUrl}
        token={target.token}
        {...(target.tokenFor ? { tokenFor: target.tokenFor } : {})}
        connection={store.connection}
        onClose={() => setDialog(null)}
        fontSize={fontSize}
        onFontSize={(px) => act({ type: 'font-size-set', fontSize: px })}
        onSave={(url, token) => {
          act({ type: 'agent-set', agentUrl: url, defaultAgentUrl: target.defaultUrl, token });
          agent.reconnect();
        }}
      />
      <HelpDialog open={dialog === 'help'} onClose={() => setDialog(null)} />
      <SnippetsDialog
        open={dialog === 'snippets'}
        entries={library.entries}
        currentId={ws.snippet.id}
        onClose={() => setDialog(null)}
        onOpen={library.open}
        onDelete={library.remove}
      />
      <ReplaceDialog question={library.question} onAnswer={library.answer} />
      <ShareDialog
        open={sharing.dialog !== null}
        onClose={sharing.closeDialog}
        state={sharing.dialog?.state ?? null}
        outcome={sharing.dialog?.outcome ?? null}
        forkedFrom={sharing.dialog?.forkedFrom ?? null}
        origin={typeof window === 'undefined' ? '' : window.location.origin}
        title={ws.snippet.example ? title : null}
      />
    </div>
  );
}
