import { attachKindOf } from '../attach/kinds.js';

/**
 * The family a section belongs to for the policy. `?` (libbpf's "not loaded unless asked") does not
 * change what the program is; writable raw tracepoints are raw_tp to the attacher but a family of
 * their own here, because they may write to the tracepoint's buffer.
 */
export function policyKindOf(section: string): string {
  const s = section.startsWith('?') ? section.slice(1) : section;
  if (/^raw_(tp|tracepoint)\.w\//.test(s)) return 'raw_tp.w';
  return attachKindOf(s);
}
