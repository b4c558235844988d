import { z } from 'zod';
import { runFrame } from './frame';

/**
 * A snippet taken home (RunOptions.mode 'export'): a libbpf-bootstrap style project the agent
 * generated from the compiled object's BTF. The client decides the container (a folder, .tar,
 * .zip); the agent only says which files there are.
 */
export const ProjectFile = z.object({
  /** Relative to the project's folder, `/`-separated, never `..` (`include/bpf/bpf_helpers.h`). */
  path: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.+/-]*$/)
    .refine((p) => !p.split('/').includes('..'), 'project paths stay inside the project'),
  /** UTF-8 text, or base64 with `encoding: 'base64'` (the compiled object). */
  content: z.string(),
  encoding: z.enum(['utf8', 'base64']).optional(),
  /** Unix permission bits, e.g. 0o755 for a script; 0o644 when absent. */
  mode: z.number().int().min(0).max(0o777).optional(),
});
export type ProjectFile = z.infer<typeof ProjectFile>;

export const ProjectMessage = runFrame('project', {
  /** The project's name: the main file without `.bpf.c`; the folder, binary and skeleton are named after it. */
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  files: z.array(ProjectFile),
  /** The object the playground compiled and checked, base64: what "download the .o" saves. */
  object: z.string(),
  /** What the generated loader could not do the way the playground does (told in the README too). */
  notes: z.array(z.string()),
});
export type ProjectMessage = z.infer<typeof ProjectMessage>;

/** A project file's bytes, whatever its encoding (for tar/zip writers and `--out DIR`). */
export function projectFileBytes(f: ProjectFile): Uint8Array {
  if (f.encoding === 'base64') {
    const bin = atob(f.content);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new TextEncoder().encode(f.content);
}
