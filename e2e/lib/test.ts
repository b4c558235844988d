import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawn } from 'node:child_process';
import { ExampleMeta } from '@bpfplay/protocol';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
const shots = path.join(repo, 'e2e/screenshots');

export interface Servers {
  web: string;
  agent: string;
  token: string;
}

/**
 * Every spec fails on a browser console error, an uncaught page error, or Monaco's "Could not
 * create web worker" warning (the editor then runs its worker code on the main thread, which is
 * the regression this catches). A spec that provokes an expected error says so with `allow`.
 */
export const test = base.extend<{
  servers: Servers;
  consoleGuard: { allow(re: RegExp): void };
  freshPage: () => Promise<Page>;
}>({
  servers: async ({}, use) => {
    const { BPFPLAY_WEB_URL: web, BPFPLAY_AGENT_URL: agent, BPFPLAY_TOKEN: token } = process.env;
    if (!web || !agent || !token)
      throw new Error('global setup did not provide BPFPLAY_WEB_URL, BPFPLAY_AGENT_URL and BPFPLAY_TOKEN');
    await use({ web, agent, token });
  },
  consoleGuard: [
    async ({ page }, use) => {
      const problems: string[] = [];
      const allowed: RegExp[] = [];
      watchConsole(page, problems, allowed);
      await use({ allow: (re) => allowed.push(re) });
      expect(problems, 'the browser reported errors').toEqual([]);
    },
    { auto: true },
  ],
  /** A page in a new browser context (no localStorage, no cookies: someone opening a link), console-guarded too. */
  freshPage: async ({ browser }, use) => {
    const problems: string[] = [];
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      contexts.push(ctx);
      const p = await ctx.newPage();
      watchConsole(p, problems, []);
      return p;
    });
    for (const c of contexts) await c.close();
    expect(problems, 'the browser (fresh context) reported errors').toEqual([]);
  },
});

function watchConsole(page: Page, problems: string[], allowed: RegExp[]): void {
  const check = (kind: string, text: string) => {
    if (!allowed.some((re) => re.test(text))) problems.push(`${kind}: ${text}`);
  };
  page.on('console', (m) => {
    if (m.type() === 'error') check('console error', `${m.text()} (${m.location().url})`);
    else if (/Could not create web worker/i.test(m.text())) check(`console ${m.type()}`, m.text());
  });
  page.on('pageerror', (e) => check('page error', e.message));
}
export { expect };

/** The URL the agent's start script prints, pointed at this test's agent. */
export function tokenedUrl(s: Servers, token = s.token): string {
  const u = new URL(s.web);
  u.searchParams.set('token', token);
  u.searchParams.set('agent', s.agent);
  return u.toString();
}

export async function openPlayground(page: Page, s: Servers, token?: string): Promise<void> {
  await page.goto(tokenedUrl(s, token));
  await editorReady(page);
}

/**
 * Monaco is created (the editor's data-ready). Loading its chunk can take well over the 20 s an
 * expect waits on a loaded machine: this waits for the page's own signal, bounded by the test's
 * timeout rather than by a guess.
 */
export async function editorReady(page: Page): Promise<void> {
  await expect(page.locator('[data-testid="editor"][data-ready="true"] .monaco-editor')).toBeVisible({ timeout: 0 });
}

/**
 * Put a snippet in the browser's saved workspace before the app loads, the way a returning user's
 * autosave would (the page of /api/examples shares the origin and does not run the app).
 */
export async function seedSnippet(page: Page, s: Servers, files: { name: string; content: string }[]): Promise<void> {
  await page.goto(`${s.web}/api/examples`);
  await page.evaluate((files) => {
    localStorage.setItem(
      'bpfplay:workspace',
      JSON.stringify({
        version: 2,
        snippet: { files, active: files[0]!.name, params: {} },
        settings: {
          agentUrl: null,
          token: null,
          theme: 'dark',
          durationSec: 30,
          perfFrequency: 99,
          mapIntervalMs: 1000,
        },
      }),
    );
  }, files);
}

/**
 * Pause the Events table and read it from the top. Paused, the table is a virtual list that opens at
 * its end and renders rows above the view (overscan), so `event-row` nth(0) is off screen under the
 * header, and a row index may change meaning as the list re-renders while scrolling to it.
 */
export async function pauseEventsAtTop(page: Page): Promise<void> {
  await page.getByTestId('events-pause').click();
  await page.getByTestId('events-table').evaluate((el) => {
    el.scrollTop = 0;
  });
  await expect(page.getByTestId('event-row').first()).toBeInViewport();
}

export async function connected(page: Page): Promise<void> {
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ready');
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/**
 * The element is drawn inside the viewport's width (and, with `wholeHeight`, its height) and nothing
 * covers it: the topmost element at its centre is the element itself or inside it.
 */
export async function fullyShown(page: Page, l: Locator, { wholeHeight = false } = {}): Promise<void> {
  await expect(l).toBeVisible();
  const box = (await l.boundingBox())!;
  const vp = page.viewportSize()!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(vp.width);
  if (wholeHeight) expect(box.y + box.height).toBeLessThanOrEqual(vp.height);
  const onTop = await l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && el.contains(hit);
  });
  expect(onTop).toBe(true);
}

/** The sizes the README's screenshots show: a laptop, and a 1024×768 projector. */
export const SCREEN_SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const;

/**
 * `name-1440x900.png` and `name-1024x768.png`; `before` runs after each resize (to scroll the
 * thing shown into view again). The viewport is restored afterwards.
 */
export async function shotAtSizes(page: Page, name: string, before?: () => Promise<void>): Promise<void> {
  const original = page.viewportSize();
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize(size);
    await before?.();
    await shot(page, `${name}-${size.width}x${size.height}`);
  }
  if (original) await page.setViewportSize(original);
}

/** Let the page read and write the clipboard, as a person's Ctrl+C / Ctrl+V does. */
export async function allowClipboard(page: Page, s: Servers): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.web });
}

export async function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

export function exampleMeta(name: string): ExampleMeta {
  const file = path.join(repo, 'bpf', name, 'meta.json');
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`bpf/${name}/meta.json is missing: this spec needs the ${name} example`);
  }
  return ExampleMeta.parse(JSON.parse(raw));
}

/** Run `sh -c cmd` every `everyMs` until the returned stop() — makes exec/open tracepoints fire. */
export function keepTriggering(cmd: string, everyMs = 200): () => void {
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const p = spawn('sh', ['-c', cmd], { stdio: 'ignore' });
    p.on('exit', () => setTimeout(tick, everyMs));
    p.on('error', () => setTimeout(tick, everyMs));
  };
  tick();
  return () => {
    stopped = true;
  };
}

/** Names of the BPF programs loaded in the kernel right now (bpftool prog show). */
export function loadedProgramNames(): string[] {
  const out = execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' });
  return (JSON.parse(out) as { name?: string }[]).map((p) => p.name ?? '');
}

/** The editor line number drawn at the same height as `locator` (a gutter marker). */
export async function editorLineOf(page: Page, selector: string): Promise<number> {
  // The status line can say "refused" a frame before the editor draws the marker.
  await page.locator(selector).first().waitFor();
  return page.evaluate((selector) => {
    const marker = document.querySelector(selector);
    if (!marker) throw new Error(`no element ${selector}`);
    const top = marker.getBoundingClientRect().top;
    const lines = [...document.querySelectorAll('.monaco-editor .line-numbers')];
    const hit = lines.find((l) => Math.abs(l.getBoundingClientRect().top - top) < 3);
    if (!hit) throw new Error('no line number at the marker height');
    return Number(hit.textContent);
  }, selector);
}
