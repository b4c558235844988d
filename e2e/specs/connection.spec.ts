import { expect, openPlayground, shot, test } from '../lib/test';

test('a wrong token shows the banner and does not retry', async ({ page, servers }) => {
  await openPlayground(page, servers, 'not-the-token');
  const banner = page.getByTestId('banner');
  await expect(banner).toContainText('Wrong token — open the URL the agent printed');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'refused');
  await expect(page.getByTestId('run')).toBeDisabled();
  await shot(page, '07-wrong-token');
  // Entering the right token in Settings connects.
  await page.getByTestId('open-settings').click();
  await page.getByTestId('settings-token').fill(servers.token);
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ready');
  await expect(banner).toHaveCount(0);
});

test('an unreachable agent shows where it looked and retries', async ({ page, servers, consoleGuard }) => {
  // Chromium itself logs the refused WebSocket as a console error; that one is the point here.
  consoleGuard.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:9\/ws\?token=.*' failed/);
  const u = new URL(servers.web);
  u.searchParams.set('token', servers.token);
  u.searchParams.set('agent', 'ws://127.0.0.1:9/ws');
  await page.goto(u.toString());
  await expect(page.getByTestId('banner')).toContainText(
    /agent unreachable at ws:\/\/127\.0\.0\.1:9\/ws — retrying in \d+ s/,
  );
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', /retrying|connecting/);
  await shot(page, '08-unreachable');
});
