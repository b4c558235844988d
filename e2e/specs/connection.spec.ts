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

// An unreachable agent (banner, status line, retrying): learner-basics.spec.ts.
