import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'bpfplay — eBPF playground',
  description: 'Write BPF C in the browser, run it on this kernel, see what it does.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Set the saved theme before the first paint, so a light-theme user does not see a dark flash.
const THEME_BOOT = `try{var w=JSON.parse(localStorage.getItem('bpfplay:workspace')||'null');var t=w&&w.settings&&w.settings.theme||(w&&w.theme);document.documentElement.dataset.theme=t==='light'?'light':'dark'}catch(e){document.documentElement.dataset.theme='dark'}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" data-theme="dark" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
