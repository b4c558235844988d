import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { connected, expect, openPlayground, test } from '../lib/test';

/**
 * Another server on another loopback port, standing in for anyone a link could name with
 * `?agent=`: it records every HTTP request and WebSocket handshake and message it receives.
 */
async function recordingServer() {
  const seen: string[] = [];
  const record = (req: IncomingMessage, what: string) =>
    seen.push(JSON.stringify({ what, url: req.url, headers: req.headers }));
  const http = createServer((req, res) => {
    record(req, 'http');
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws, req) => {
    record(req, 'websocket');
    ws.on('message', (m) => seen.push(JSON.stringify({ what: 'message', data: m.toString() })));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    seen,
    websockets: () => seen.filter((s) => s.includes('"what":"websocket"')).length,
    close: () => new Promise<void>((r) => (wss.close(), http.close(() => r()))),
  };
}

test('a link naming another agent never gets the saved token: it asks first, and that agent needs its own', async ({
  page,
  servers,
  consoleGuard,
}) => {
  const other = await recordingServer();
  // The stand-in answers no protocol: the page reports the connection as failing, which is expected here.
  consoleGuard.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws' failed/);
  try {
    // Opened once with the URL the agent printed: the token is saved (for that agent).
    await openPlayground(page, servers);
    await connected(page);

    // A link in a chat: same playground, another agent.
    await page.goto(`${servers.web}/?agent=${encodeURIComponent(other.url)}`);
    const ask = page.getByTestId('agent-switch');
    await expect(ask).toBeVisible();
    await expect(ask).toContainText(other.url);
    await expect(ask).toContainText('never sent elsewhere');
    await connected(page); // still (only) the agent the token belongs to
    expect(new URL(page.url()).searchParams.get('agent'), 'the address bar forgets the link').toBeNull();

    // A plain reload changes nothing either.
    await page.reload();
    await connected(page);
    await expect(ask).toHaveCount(0);
    expect(other.seen, 'the other server was contacted before anyone agreed').toEqual([]);

    // The user agrees: the page connects there — without the token.
    await page.goto(`${servers.web}/?agent=${encodeURIComponent(other.url)}`);
    await page.getByTestId('agent-switch-confirm').click();
    await expect.poll(() => other.websockets()).toBeGreaterThan(0);
    await page.reload();
    await expect.poll(() => other.websockets()).toBeGreaterThan(1);
    expect(other.seen.join('\n')).not.toContain(servers.token);
    expect(other.seen.join('\n')).not.toContain('token=');

    // Back to the first agent in Settings: its own token comes back with it, and it connects.
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-agent-url').fill(servers.agent);
    await expect(page.getByTestId('settings-token')).toHaveValue(servers.token);
    await page.getByTestId('settings-save').click();
    await connected(page);
    expect(other.seen.join('\n')).not.toContain(servers.token);
  } finally {
    await other.close();
  }
});
