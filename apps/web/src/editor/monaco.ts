/**
 * Monaco, bundled with the app (no CDN: the playground works offline). Imported only from client
 * components loaded with `ssr: false`: Monaco touches `window` at import time and would break
 * prerendering.
 */
import * as monaco from 'monaco-editor/editor/editor.main.js';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

// Without getWorker Monaco logs "Could not create web worker" and falls back to the main thread.
// The pattern `new Worker(new URL(<literal>, import.meta.url))` is what the bundler rewrites into a
// worker chunk; the 0.57 worker entry is `editor/editor.worker.js` (the old esm/vs/... path is gone).
// Every language here is C or plain text, so the editor worker serves every label.
self.MonacoEnvironment = {
  getWorker: () =>
    new Worker(new URL('monaco-editor/editor/editor.worker.js', import.meta.url), {
      type: 'module',
      name: 'monaco-editor-worker',
    }),
};

monaco.editor.defineTheme('bpfplay-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#16181d',
    'editorGutter.background': '#16181d',
    'editor.lineHighlightBackground': '#1f232b',
  },
});
monaco.editor.defineTheme('bpfplay-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#fbfbfa', 'editorGutter.background': '#fbfbfa' },
});

export { monaco };
export type Monaco = typeof monaco;
