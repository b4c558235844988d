import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, editorReady, repo, shotAtSizes } from '../lib/test';

/**
 * Issue 13: a workshop room with one instructor and five learners, each in their own browser
 * context, against the real web server (its relay holds the agent's token) and the real agent.
 * Checks run the lesson's real check on this kernel.
 */
const LESSON = '01-hello-printk';
const solution = readFileSync(path.join(repo, 'bpf/lessons', LESSON, 'solution/hello.bpf.c'), 'utf8');
/** Prints what a person would see after running `true` once: a fixed answer the planted name defeats. */
const hardCoded = solution.replace('bpf_printk("exec: %s", comm);', 'bpf_printk("exec: true hardcoded_answer");');

async function join(page: Page, link: string, code: string, name: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel(/Join code/).fill(code);
  await page.getByLabel(/Your name/).fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await editorReady(page);
  await expect(page.getByTestId('learner-status')).toHaveAttribute('data-state', 'ready');
}

const row = (teacher: Page, name: string) => teacher.locator(`[data-testid="roster-row"][data-learner="${name}"]`);

test('a room: push reaches every learner, failures show on the roster, Check judges the real program', async ({
  page: teacher,
  servers,
  freshPage,
}) => {
  // Six browsers and five real checks on a shared 2-core machine: ~3 min at a load of 30.
  test.setTimeout(360_000);
  await teacher.setViewportSize({ width: 1024, height: 768 });
  await teacher.goto(`${servers.web}/rooms`);
  await teacher.getByLabel('Room name').fill('eBPF 101');
  await expect(teacher.getByLabel('First lesson')).toHaveValue(LESSON);
  await teacher.getByRole('button', { name: 'Create room' }).click();
  const code = (await teacher.getByTestId('join-code').textContent())!;
  const learnerLink = (await teacher.getByTestId('learner-link').getAttribute('href'))!;
  await teacher.goto((await teacher.getByTestId('teach-link').getAttribute('href'))!);
  await expect(teacher.getByTestId('teach-status')).toHaveText('live');
  // The key left the address bar (it would end up in screenshots and history).
  expect(teacher.url()).not.toContain('key=');

  const names = ['Ada', 'Brian', 'Cleo', 'Dmitri', 'Eve'];
  // Five people joining at once, as a class does (and the editors load side by side, not one by one).
  const learners = await Promise.all(
    names.map(async (name) => {
      const p = await freshPage();
      await join(p, learnerLink, code, name);
      return p;
    }),
  );
  const [ada, brian, cleo, dmitri] = learners as [Page, Page, Page, Page, Page];
  await expect(teacher.getByTestId('count-online')).toHaveText('5 of 5 online');
  // The lesson is beside every editor; nobody was handed the agent's token.
  for (const p of learners) {
    await expect(p.getByTestId('lesson')).toContainText('Hello, printk');
    expect(await p.evaluate(() => JSON.stringify(localStorage))).not.toContain(servers.token);
  }

  // Push reaches all: the instructor's snippet replaces every learner's code.
  await teacher.getByTestId('open-push-snippet').click();
  await teacher.getByTestId('snippet-name').fill('hello.bpf.c');
  await teacher.getByTestId('snippet-text').fill(hardCoded);
  await teacher.getByTestId('push-snippet').click();
  for (const p of learners) {
    await expect(p.getByTestId('notice')).toContainText("The instructor pushed the instructor's snippet");
    await expect(p.locator('.monaco-editor .view-lines')).toContainText('hardcoded_answer');
  }
  // And a hint.
  await teacher.getByTestId('hint-input').fill('bpf_get_current_comm fills a 16-byte buffer');
  await teacher.getByRole('button', { name: 'Send hint' }).click();
  for (const p of learners) await expect(p.getByTestId('hint')).toContainText('16-byte buffer');

  // A hard-coded answer fails the check (it plants a fresh random name), and the roster says so.
  await ada.getByTestId('check').click();
  await expect(ada.getByTestId('verdict')).toHaveAttribute('data-passed', 'false', { timeout: 60_000 });
  await expect(ada.getByTestId('verdict')).toContainText('Not yet.');
  await expect(row(teacher, 'Ada')).toHaveAttribute('data-state', 'failed');
  await expect(row(teacher, 'Ada').getByTestId('reason')).not.toBeEmpty();
  await expect(teacher.getByTestId('count-failed')).toHaveText('1 failed');

  // The starter fails too.
  await brian.getByRole('button', { name: 'Start over from the starter' }).click();
  await expect(brian.locator('.monaco-editor .view-lines')).toContainText('a program started');
  await brian.getByTestId('check').click();
  await expect(brian.getByTestId('verdict')).toHaveAttribute('data-passed', 'false', { timeout: 60_000 });

  // A compile error is a failure with the compiler's reason on the roster.
  await dmitri.locator('.monaco-editor .view-lines').click();
  await dmitri.keyboard.press('Control+End');
  await dmitri.keyboard.type('\nthis is not C');
  await dmitri.getByTestId('run').click();
  await expect(row(teacher, 'Dmitri')).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
  await expect(row(teacher, 'Dmitri').getByTestId('reason')).toContainText('compile error');

  // Solutions unlocked: Cleo takes the reference solution, and it passes.
  // The box shows the room's setting: it turns checked when the server's roster says so.
  await teacher.getByTestId('unlock').click();
  await expect(teacher.getByTestId('unlock')).toBeChecked();
  await cleo.getByRole('button', { name: 'Use the solution' }).click();
  await expect(cleo.locator('.monaco-editor .view-lines')).toContainText('bpf_get_current_comm');
  await cleo.getByTestId('check').click();
  await expect(cleo.getByTestId('verdict')).toHaveAttribute('data-passed', 'true', { timeout: 60_000 });
  await expect(cleo.getByTestId('verdict')).toContainText('Passed!');
  await expect(cleo.getByTestId('progress')).toContainText('1 of');
  await expect(row(teacher, 'Cleo')).toHaveAttribute('data-state', 'passed');
  await expect(teacher.getByTestId('count-passed')).toHaveText('1 passed lesson 1');

  // The instructor opens Cleo's code read-only.
  await row(teacher, 'Cleo').getByTestId('view-code').click();
  await expect(teacher.getByTestId('learner-code')).toContainText('bpf_get_current_comm(comm, sizeof(comm));');
  await shotAtSizes(teacher, 'rooms-teach');
  await shotAtSizes(cleo, 'rooms-learner');
});
