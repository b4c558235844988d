'use client';

import { useEffect, useRef } from 'react';
import type { ClientMessage, ProjectMessage } from '@bpfplay/protocol';
import { projectFileBytes } from '@bpfplay/protocol';
import { tarFiles, zipFiles } from '@bpfplay/share';
import type { EditorApi } from '../editor/EditorView';
import type { AgentStore } from '../state/agentStore';
import { runRequest } from '../state/runRequest';
import type { Workspace } from '../state/workspace';
import { downloadBytes } from '../share/browserActions';

export type ExportFormat = 'tar' | 'zip' | 'o';

/** What the Export menu offers, in its order: the three downloads, each named by what the learner gets. */
export const EXPORT_FORMATS: readonly { format: ExportFormat; label: string; title: string }[] = [
  { format: 'tar', label: 'project .tar', title: 'the libbpf project (code, C loader, Makefile, README) as a .tar' },
  { format: 'zip', label: 'project .zip', title: 'the same project as a .zip' },
  { format: 'o', label: 'object .o', title: 'the compiled BPF object alone, as the playground loads it' },
];

/** The file a project frame becomes in the browser: the libbpf project as .tar/.zip, or the object alone. */
export function projectDownload(
  p: ProjectMessage,
  format: ExportFormat,
): { bytes: Uint8Array; name: string; type: string } {
  if (format === 'o')
    return {
      bytes: projectFileBytes({ path: 'o', content: p.object, encoding: 'base64' }),
      name: `${p.name}.bpf.o`,
      type: 'application/x-object',
    };
  const entries = p.files.map((f) => ({ name: f.path, content: projectFileBytes(f) }));
  return format === 'zip'
    ? { bytes: zipFiles(entries, { folder: p.name }), name: `${p.name}.zip`, type: 'application/zip' }
    : { bytes: tarFiles(entries, { folder: p.name }), name: `${p.name}.tar`, type: 'application/x-tar' };
}

export interface SideRunsInput {
  ws: Workspace | null;
  store: AgentStore;
  send(m: ClientMessage): boolean;
  editor: { current: EditorApi | null };
  onError(text: string): void;
}

/**
 * Export and the Packet lab: each sends the snippet as Run would (same files, same params) in a run of
 * its own, so the output of the last Run stays on screen. An export's project is downloaded once, when
 * its frame arrives.
 */
export function useSideRuns(o: SideRunsInput) {
  const { store } = o;
  const wanted = useRef<{ runId: string; format: ExportFormat } | null>(null);
  const exp = store.side.runs.export;

  useEffect(() => {
    const w = wanted.current;
    if (!w || !exp || exp.runId !== w.runId || exp.state !== 'done') return;
    wanted.current = null;
    if (exp.project) {
      const d = projectDownload(exp.project, w.format);
      downloadBytes(d.bytes, d.name, d.type);
    } else o.onError(`Export failed: ${[exp.error ?? 'the agent sent no project', ...exp.diagnostics].join('\n')}`);
  }, [exp, o]);

  const request = () => {
    if (!o.ws) return null;
    const req = runRequest(o.ws, {
      mode: 'compile',
      hello: store.hello,
      textOf: (name) => o.editor.current?.currentText(name),
    });
    if (!req.ok) {
      o.onError(req.error);
      return null;
    }
    return req;
  };

  const exportProject = (format: ExportFormat) => {
    const req = request();
    if (!req) return;
    const msg = store.startSide('export', req.snippet, {
      ...(req.options.params ? { params: req.options.params } : {}),
    });
    wanted.current = { runId: (msg as { runId: string }).runId, format };
    if (!o.send(msg)) o.onError('not connected to the agent: the export was not sent');
  };

  const testRun = (hex: string, repeat: number) => {
    const req = request();
    if (!req) return;
    const msg = store.startSide('test-run', req.snippet, {
      ...(req.options.params ? { params: req.options.params } : {}),
      packet: { hex, repeat },
    });
    if (!o.send(msg)) o.onError('not connected to the agent: the test run was not sent');
  };

  return {
    exportProject,
    testRun,
    exporting: exp !== undefined && exp.state !== 'done',
  };
}
