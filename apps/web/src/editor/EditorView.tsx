'use client';

import { useEffect, useRef, useState } from 'react';
import { monaco } from './monaco';
import { attachLsp, type EditorLsp } from './lsp/attach';
import { LspStatusLine } from './lsp/LspStatusLine';
import type { LspStatus } from './lsp/client';
import { languageOf } from '../state/files';
import type { EditorMarker } from '../state/markers';
import type { EditorFile, Theme } from '../state/workspace';

export interface RevealRequest {
  file: string;
  line: number;
  /** Changes on every request so revealing the same line twice works. */
  nonce: number;
}

/** What the page may ask the editor directly. */
export interface EditorApi {
  /**
   * The text of each file as the editor has it now. A Run pressed right after a keystroke must
   * send that keystroke: the page's copy of the files can be a render behind.
   */
  currentText(name: string): string | null;
}

export interface EditorViewProps {
  apiRef: { current: EditorApi | null };
  files: EditorFile[];
  active: string;
  theme: Theme;
  /** Text size in px (Settings → Display). */
  fontSize?: number;
  markers: EditorMarker[];
  reveal: RevealRequest | null;
  /** Lines to tint (the source lines of a disassembly row under the mouse). */
  highlight: { file: string; lines: number[] } | null;
  onChange(file: string, content: string): void;
  onCursorLine(file: string, line: number): void;
  /**
   * Bumped when the files' text was replaced from outside the editor (an example loaded, undo).
   * Only then is a model's text overwritten: while typing, the files the editor receives lag the
   * model by a keystroke or two, and overwriting would eat characters and move the cursor.
   */
  contentRevision: number;
  /** Completion, hover, definitions and live diagnostics from the agent's clangd (editor/lsp/). */
  lsp?: Pick<EditorLsp, 'client' | 'snippet' | 'openFile'>;
  /** The file clang compiles: the agent's clangd is told again when it changes. */
  mainFile?: string;
  onRun(): void;
  onCheck(): void;
  onStop(): void;
}

const uriOf = (name: string) => monaco.Uri.parse(`file:///${name}`);
const SEVERITY = {
  error: monaco.MarkerSeverity.Error,
  warning: monaco.MarkerSeverity.Warning,
  info: monaco.MarkerSeverity.Info,
} as const;

/** One Monaco editor, one model per snippet file; switching tabs swaps models and keeps view state. */
export default function EditorView(props: EditorViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const viewStates = useRef(new Map<string, monaco.editor.ICodeEditorViewState | null>());
  const decorations = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  const highlightDecos = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  const cb = useRef(props);
  cb.current = props;
  const lspHandle = useRef<ReturnType<typeof attachLsp> | null>(null);
  const [header, setHeader] = useState<string | null>(null);
  const [lspStatus, setLspStatus] = useState<{ state: LspStatus; message: string | undefined } | null>(null);
  const [check, setCheck] = useState<'pending' | 'ok' | 'failed' | null>(null);
  const [ready, setReady] = useState(false);

  // Create the editor once.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const editor = monaco.editor.create(el, {
      model: null,
      theme: cb.current.theme === 'dark' ? 'bpfplay-dark' : 'bpfplay-light',
      automaticLayout: true,
      fontSize: cb.current.fontSize ?? 13,
      fontFamily: "'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      tabSize: 8,
      insertSpaces: false,
      renderWhitespace: 'selection',
      glyphMargin: false,
      lineDecorationsWidth: 10,
      fixedOverflowWidgets: true,
      hover: { delay: 250 },
      // Monaco's "paste as" machinery applies a paste asynchronously (after asking paste providers),
      // so a Run pressed right after Ctrl+V read the text from before the paste (3 of 8 tries,
      // measured). Plain paste is applied at once, and Run sends what the editor shows.
      pasteAs: { enabled: false },
      'semanticHighlighting.enabled': false,
    });
    editorRef.current = editor;
    setReady(true);
    cb.current.apiRef.current = { currentText: (name) => monaco.editor.getModel(uriOf(name))?.getValue() ?? null };
    decorations.current = editor.createDecorationsCollection();
    highlightDecos.current = editor.createDecorationsCollection();
    // Inside Monaco these keys would otherwise insert a newline / open quick fixes.
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => cb.current.onRun());
    // Replaces Monaco's "insert line above" on the same keys, as the help panel promises.
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => cb.current.onCheck());
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Period, () => cb.current.onStop());
    // Esc still closes Monaco's own widgets first; only a bare Esc stops the run.
    editor.addCommand(
      monaco.KeyCode.Escape,
      () => cb.current.onStop(),
      '!suggestWidgetVisible && !findWidgetVisible && !parameterHintsVisible && !markersNavigationVisible && !editorHasMultipleSelections && !renameInputVisible',
    );
    const sub1 = editor.onDidChangeModelContent(() => {
      const model = editor.getModel();
      if (model?.uri.scheme === 'file') cb.current.onChange(model.uri.path.slice(1), model.getValue());
    });
    const sub2 = editor.onDidChangeCursorPosition((e) => {
      const model = editor.getModel();
      // Not for a header shown read-only by go-to-definition: the page knows snippet files only.
      if (model?.uri.scheme === 'file') cb.current.onCursorLine(model.uri.path.slice(1), e.position.lineNumber);
    });
    if (cb.current.lsp) {
      const lsp = cb.current.lsp;
      lspHandle.current = attachLsp(editor, {
        client: lsp.client,
        snippet: () => cb.current.lsp?.snippet() ?? null,
        openFile: (file, line) => cb.current.lsp?.openFile(file, line),
        onHeader: setHeader,
        onStatus: (state, message) => setLspStatus({ state, message }),
        onCheck: setCheck,
      });
    }
    return () => {
      lspHandle.current?.dispose();
      lspHandle.current = null;
      sub1.dispose();
      sub2.dispose();
      editor.dispose();
      for (const m of monaco.editor.getModels()) m.dispose();
      editorRef.current = null;
      cb.current.apiRef.current = null;
    };
  }, []);

  // Keep models in step with the files: create new ones, drop removed ones.
  useEffect(() => {
    const names = new Set(props.files.map((f) => f.name));
    for (const f of props.files) {
      const uri = uriOf(f.name);
      if (!monaco.editor.getModel(uri)) monaco.editor.createModel(f.content, languageOf(f.name), uri);
    }
    for (const m of monaco.editor.getModels()) {
      const name = m.uri.path.slice(1);
      if (!names.has(name)) {
        viewStates.current.delete(name);
        m.dispose();
      }
    }
  }, [props.files]);

  // Text replaced from outside (see contentRevision).
  useEffect(() => {
    for (const f of props.files) {
      const model = monaco.editor.getModel(uriOf(f.name));
      if (model && model.getValue() !== f.content) model.setValue(f.content);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a replacement from outside rewrites the models: typing changes props.files too
  }, [props.contentRevision]);

  useEffect(() => {
    if (props.mainFile !== undefined) lspHandle.current?.reopen();
  }, [props.mainFile]);

  // Switch the visible model when the active tab changes.
  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    const current = editor.getModel();
    const next = monaco.editor.getModel(uriOf(props.active));
    if (!next || current === next) return;
    if (current) viewStates.current.set(current.uri.path.slice(1), editor.saveViewState());
    editor.setModel(next);
    const vs = viewStates.current.get(props.active);
    if (vs) editor.restoreViewState(vs);
    editor.focus();
  }, [props.active, props.files]);

  useEffect(() => {
    monaco.editor.setTheme(props.theme === 'dark' ? 'bpfplay-dark' : 'bpfplay-light');
  }, [props.theme]);

  useEffect(() => {
    editorRef.current?.updateOptions({ fontSize: props.fontSize ?? 13 });
  }, [props.fontSize]);

  // Markers on every model; a gutter stripe on the active one (visible even without hovering).
  useEffect(() => {
    for (const model of monaco.editor.getModels()) {
      const name = model.uri.path.slice(1);
      const mine = props.markers.filter((m) => m.file === name);
      monaco.editor.setModelMarkers(
        model,
        'bpfplay',
        mine.map((m) => {
          const line = Math.min(m.line, model.getLineCount());
          const word = model.getWordAtPosition({ lineNumber: line, column: m.col });
          const endColumn = word && word.startColumn <= m.col ? word.endColumn : model.getLineMaxColumn(line);
          return {
            // Stale (the file changed since the run): a hint's dotted underline, not a red one.
            severity: m.stale ? monaco.MarkerSeverity.Hint : SEVERITY[m.severity],
            message: m.stale
              ? `${m.message}\n(from the last run; this file changed since: Run or Check again)`
              : m.message,
            source: m.source,
            startLineNumber: line,
            startColumn: m.col,
            endLineNumber: line,
            endColumn: Math.max(endColumn, m.col + 1),
          };
        }),
      );
    }
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model) return;
    const name = model.uri.path.slice(1);
    decorations.current?.set(
      props.markers
        .filter((m) => m.file === name && m.severity !== 'info')
        .map((m) => {
          const line = Math.min(m.line, model.getLineCount());
          return {
            range: new monaco.Range(line, 1, line, 1),
            options: {
              isWholeLine: true,
              className: m.stale ? 'bp-line-stale' : `bp-line-${m.severity}`,
              linesDecorationsClassName: `bp-gutter-${m.stale ? 'stale' : m.severity} bp-gutter-line-${line}`,
            },
          };
        }),
    );
  }, [props.markers, props.active, props.files]);

  useEffect(() => {
    const editor = editorRef.current;
    const r = props.reveal;
    if (!editor || !r) return;
    // Switching file happens through `active`; wait for that model before revealing.
    const model = editor.getModel();
    if (!model || model.uri.path.slice(1) !== r.file) return;
    const line = Math.min(r.line, model.getLineCount());
    editor.revealLineInCenter(line);
    editor.setPosition({ lineNumber: line, column: 1 });
    editor.focus();
  }, [props.reveal, props.active]);

  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    const h = props.highlight;
    if (!editor || !model) return;
    if (!h || h.file !== model.uri.path.slice(1)) {
      highlightDecos.current?.clear();
      return;
    }
    highlightDecos.current?.set(
      h.lines
        .filter((l) => l <= model.getLineCount())
        .map((l) => ({
          range: new monaco.Range(l, 1, l, 1),
          options: { isWholeLine: true, className: 'bp-line-linked' },
        })),
    );
  }, [props.highlight, props.active]);

  return (
    // data-check: where compile-as-you-type is (tests wait on it; Run after "ok" is a cache hit).
    <div className="editor-frame" data-check={check ?? undefined}>
      {header !== null && (
        <div className="header-view-bar" data-testid="header-view">
          <span>
            <b>{header.replace(/^<bpfplay>\//, '')}</b> — read-only ({header})
          </span>
          <button type="button" onClick={() => lspHandle.current?.back()}>
            Back to {props.active}
          </button>
        </div>
      )}
      {/* data-ready: Monaco is created (e2e waits on it rather than on a time). */}
      <div ref={host} className="editor-host" data-testid="editor" data-ready={ready ? 'true' : undefined} />
      {lspStatus && <LspStatusLine state={lspStatus.state} message={lspStatus.message} />}
    </div>
  );
}
