// monaco-editor 0.57 ships types for its root entry only; the full editor entry has the same API.
declare module 'monaco-editor/editor/editor.main.js' {
  export * from 'monaco-editor';
}
