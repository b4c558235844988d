import type { Diagnostic, LspDiagnostic, Snippet } from '@bpfplay/protocol';
import { monaco } from '../monaco';
import { type LspClient, type LspStatus, NO_HOOKS } from './client';
import { completionKind, HEADER_SCHEME, type MonacoRange, toLspPosition, toLspRange, toMonacoRange } from './convert';
import { checkMarkers } from './markers';

/** What the page gives the editor's language features. */
export interface EditorLsp {
  client: LspClient;
  /** The snippet as Run would send it now (editor text), or null when it cannot be sent. */
  snippet(): Snippet | null;
  /** Go to a place in another snippet file (a definition there): switch tab, reveal the line. */
  openFile(file: string, line: number): void;
  /** The editor shows a header read-only (`<bpfplay>/vmlinux.h`), or a snippet file again (null). */
  onHeader(path: string | null): void;
  onStatus(state: LspStatus, message: string | undefined): void;
  /** Compile as you type: a check was sent (pending), or its answer came. */
  onCheck(state: 'pending' | 'ok' | 'failed'): void;
}

type Editor = monaco.editor.IStandaloneCodeEditor;
type Model = monaco.editor.ITextModel;

const CLANGD_OWNER = 'clangd';
/** The `source` of clangd's markers: code actions are asked for only where there is one. */
const CLANGD_SOURCE = 'clang';
const CHECK_OWNER = 'bpfplay-check';
const SEVERITY = {
  error: monaco.MarkerSeverity.Error,
  warning: monaco.MarkerSeverity.Warning,
  info: monaco.MarkerSeverity.Info,
  hint: monaco.MarkerSeverity.Hint,
} as const;

const isFile = (m: Model) => m.uri.scheme === 'file';
const nameOf = (m: Model) => m.uri.path.slice(1);
const cancelOf = (token: monaco.CancellationToken) => ({
  onCancel: (fn: () => void) => void token.onCancellationRequested(fn),
});

/**
 * Completion, hover, signature help, go-to-definition, quick fixes and live diagnostics in Monaco,
 * from the agent's clangd (LspClient), with Monaco's own provider APIs. Also keeps the agent's
 * copy of the documents in step with every model's edits, and asks for compile-as-you-type.
 * Returns what undoes all of it, and `reopen` for when the page's file set or main file changed.
 */
export function attachLsp(editor: Editor, lsp: EditorLsp): { dispose(): void; reopen(): void; back(): void } {
  const { client } = lsp;
  const disposables: monaco.IDisposable[] = [];
  const clangdMarkers = new Map<string, LspDiagnostic[]>();
  let lastFileModel: Model | null = null;

  const reopen = () => {
    const s = lsp.snippet();
    if (s) client.open(s);
  };
  // Models come and go with the page's files; the agent hears about the new set once per turn.
  let reopenQueued = false;
  const queueReopen = () => {
    if (reopenQueued) return;
    reopenQueued = true;
    queueMicrotask(() => {
      reopenQueued = false;
      reopen();
    });
  };

  const watchModel = (model: Model) => {
    if (!isFile(model)) return;
    disposables.push(
      model.onDidChangeContent((e) => {
        const file = nameOf(model);
        client.change(
          file,
          e.isFlush
            ? [{ text: model.getValue() }]
            : e.changes.map((c) => ({ range: toLspRange(c.range), text: c.text })),
        );
        client.scheduleCheck(lsp.snippet);
      }),
    );
  };
  monaco.editor.getModels().forEach(watchModel);
  disposables.push(
    monaco.editor.onDidCreateModel((m) => {
      watchModel(m);
      if (isFile(m)) queueReopen();
    }),
    monaco.editor.onWillDisposeModel((m) => {
      if (isFile(m)) queueReopen();
    }),
  );

  client.hooks = {
    diagnostics: (file, diagnostics) => {
      clangdMarkers.set(file, diagnostics);
      const model = monaco.editor.getModel(monaco.Uri.parse(`file:///${file}`));
      if (!model) return;
      monaco.editor.setModelMarkers(
        model,
        CLANGD_OWNER,
        diagnostics.map((d) => ({
          ...toMonacoRange(d.range),
          severity: SEVERITY[d.severity],
          message: d.message,
          source: CLANGD_SOURCE,
          ...(d.code ? { code: d.code } : {}),
        })),
      );
    },
    checking: () => lsp.onCheck('pending'),
    checked: (diagnostics: Diagnostic[], ok) => {
      lsp.onCheck(ok ? 'ok' : 'failed');
      const files = monaco.editor.getModels().filter(isFile).map(nameOf);
      const main = lsp.snippet()?.main ?? files[0] ?? '';
      const byFile = checkMarkers(diagnostics, files, main, clangdMarkers);
      for (const model of monaco.editor.getModels().filter(isFile)) {
        monaco.editor.setModelMarkers(
          model,
          CHECK_OWNER,
          (byFile.get(nameOf(model)) ?? []).map((d) => ({
            startLineNumber: d.line,
            startColumn: d.col,
            endLineNumber: d.line,
            endColumn: model.getLineMaxColumn(Math.min(d.line, model.getLineCount())),
            severity: d.severity === 'warning' ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
            message: d.message,
            source: 'clang (compile)',
          })),
        );
      }
    },
    status: (state, message) => lsp.onStatus(state, message),
  };

  disposables.push(
    monaco.languages.registerCompletionItemProvider('c', {
      triggerCharacters: ['.', '>', '"', '/'],
      provideCompletionItems: async (model, position, context, token) => {
        if (!isFile(model)) return { suggestions: [] };
        const r = await client.request(
          {
            method: 'completion',
            file: nameOf(model),
            position: toLspPosition(position),
            ...(context.triggerCharacter ? { trigger: context.triggerCharacter } : {}),
          },
          cancelOf(token),
        );
        if (!r) return { suggestions: [] };
        const word = model.getWordUntilPosition(position);
        const here: MonacoRange = {
          startLineNumber: position.lineNumber,
          startColumn: word.startColumn,
          endLineNumber: position.lineNumber,
          endColumn: position.column,
        };
        return {
          incomplete: r.isIncomplete,
          suggestions: r.items.map((i) => ({
            label: i.label,
            kind: completionKind(monaco, i.kind),
            ...(i.detail ? { detail: i.detail } : {}),
            ...(i.documentation ? { documentation: { value: i.documentation } } : {}),
            insertText: i.insertText,
            ...(i.snippet ? { insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet } : {}),
            range: i.range ? toMonacoRange(i.range) : here,
            ...(i.filterText ? { filterText: i.filterText } : {}),
            ...(i.sortText ? { sortText: i.sortText } : {}),
            ...(i.additionalEdits
              ? {
                  additionalTextEdits: i.additionalEdits.map((e) => ({
                    range: toMonacoRange(e.range),
                    text: e.newText,
                  })),
                }
              : {}),
          })),
        };
      },
    }),
    monaco.languages.registerHoverProvider('c', {
      provideHover: async (model, position, token) => {
        if (!isFile(model)) return null;
        const r = await client.request(
          { method: 'hover', file: nameOf(model), position: toLspPosition(position) },
          cancelOf(token),
        );
        if (!r || !r.contents) return null;
        return { contents: [{ value: r.contents }], ...(r.range ? { range: toMonacoRange(r.range) } : {}) };
      },
    }),
    monaco.languages.registerSignatureHelpProvider('c', {
      signatureHelpTriggerCharacters: ['(', ','],
      signatureHelpRetriggerCharacters: [','],
      provideSignatureHelp: async (model, position, token, context) => {
        if (!isFile(model)) return null;
        const r = await client.request(
          {
            method: 'signatureHelp',
            file: nameOf(model),
            position: toLspPosition(position),
            ...(context.triggerCharacter ? { trigger: context.triggerCharacter } : {}),
          },
          cancelOf(token),
        );
        if (!r || r.signatures.length === 0) return null;
        return {
          value: {
            signatures: r.signatures.map((s) => ({
              label: s.label,
              ...(s.documentation ? { documentation: { value: s.documentation } } : {}),
              parameters: s.parameters.map((p) => ({ label: p })),
            })),
            activeSignature: r.activeSignature,
            activeParameter: r.activeParameter,
          },
          dispose: () => {},
        };
      },
    }),
    monaco.languages.registerDefinitionProvider('c', {
      provideDefinition: async (model, position, token) => {
        if (!isFile(model)) return null;
        const r = await client.request(
          { method: 'definition', file: nameOf(model), position: toLspPosition(position) },
          cancelOf(token),
        );
        if (!r) return null;
        const out: monaco.languages.Location[] = [];
        for (const l of r.locations) {
          const uri = l.header ? await headerModel(client, l.file) : monaco.Uri.parse(`file:///${l.file}`);
          if (uri) out.push({ uri, range: toMonacoRange(l.range) });
        }
        return out;
      },
    }),
    monaco.languages.registerCodeActionProvider('c', {
      provideCodeActions: async (model, range, context, token) => {
        const none = { actions: [], dispose: () => {} };
        if (!isFile(model) || !context.markers.some((m) => m.source === CLANGD_SOURCE)) return none;
        const r = await client.request(
          { method: 'codeAction', file: nameOf(model), range: toLspRange(range) },
          cancelOf(token),
        );
        if (!r) return none;
        return {
          actions: r.actions.map((a) => ({
            title: a.title,
            kind: 'quickfix',
            isPreferred: a.preferred ?? false,
            diagnostics: context.markers.filter((m) => m.source === CLANGD_SOURCE),
            edit: {
              edits: a.edits.flatMap((f) =>
                f.edits.map((e) => ({
                  resource: monaco.Uri.parse(`file:///${f.file}`),
                  textEdit: { range: toMonacoRange(e.range), text: e.newText },
                  versionId: undefined,
                })),
              ),
            },
          })),
          dispose: () => {},
        };
      },
    }),
    // Go-to-definition into a header shows it in this editor, read-only; into another snippet
    // file, the page switches tabs.
    monaco.editor.registerEditorOpener({
      openCodeEditor: (source, resource, selection) => {
        if (source !== editor) return false;
        const line = selection
          ? 'startLineNumber' in selection
            ? selection.startLineNumber
            : selection.lineNumber
          : 1;
        if (resource.scheme === 'file') {
          lsp.openFile(resource.path.slice(1), line);
          return true;
        }
        const model = resource.scheme === HEADER_SCHEME ? monaco.editor.getModel(resource) : null;
        if (!model) return false;
        const current = editor.getModel();
        if (current && isFile(current)) lastFileModel = current;
        editor.setModel(model);
        if (selection) {
          const r =
            'startLineNumber' in selection
              ? selection
              : {
                  startLineNumber: line,
                  startColumn: selection.column,
                  endLineNumber: line,
                  endColumn: selection.column,
                };
          editor.setSelection(r);
          editor.revealRangeInCenter(r);
        }
        return true;
      },
    }),
    editor.onDidChangeModel((e) => {
      const model = e.newModelUrl ? monaco.editor.getModel(e.newModelUrl) : null;
      const header = model?.uri.scheme === HEADER_SCHEME;
      editor.updateOptions({ readOnly: header });
      lsp.onHeader(header ? model!.uri.path.slice(1) : null);
    }),
  );

  reopen();
  return {
    reopen,
    back: () => {
      const m = lastFileModel && !lastFileModel.isDisposed() ? lastFileModel : monaco.editor.getModels().find(isFile);
      if (m) editor.setModel(m);
      editor.focus();
    },
    dispose: () => {
      for (const d of disposables) d.dispose();
      client.hooks = NO_HOOKS;
      for (const m of monaco.editor.getModels()) {
        monaco.editor.setModelMarkers(m, CLANGD_OWNER, []);
        monaco.editor.setModelMarkers(m, CHECK_OWNER, []);
        if (m.uri.scheme === HEADER_SCHEME) m.dispose();
      }
    },
  };
}

/** The read-only model of a header, fetched from the agent once per page. */
async function headerModel(client: LspClient, path: string): Promise<monaco.Uri | null> {
  const uri = monaco.Uri.from({ scheme: HEADER_SCHEME, path: `/${path}` });
  if (monaco.editor.getModel(uri)) return uri;
  const r = await client.request({ method: 'header', path });
  if (!r) return null;
  if (!monaco.editor.getModel(uri)) monaco.editor.createModel(r.text, 'c', uri);
  return uri;
}
