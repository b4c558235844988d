'use client';

/**
 * Copy text. The async Clipboard API needs a secure context and, in some browsers, permission;
 * the fallback copies a selection of a hidden textarea, which works on plain-http hosts. False when
 * both fail (the dialog then shows the text selected, for Ctrl+C).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* try the selection fallback */
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/** Save bytes as a file through a temporary object URL. */
export function downloadBytes(bytes: Uint8Array, fileName: string, type: string): void {
  // Copy into a plain ArrayBuffer: Blob rejects views over a SharedArrayBuffer.
  const blob = new Blob([bytes.slice().buffer as ArrayBuffer], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by the next task; revoking at once can cancel it in some browsers.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
