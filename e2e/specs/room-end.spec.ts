import { expect, test } from '../lib/test';

/**
 * Issue 13: an instructor ends the room, then deletes it. The learner is told in plain words in
 * the status bar, cannot run or join again; deleting removes the room with its learners.
 */
test('the instructor ends the room, then deletes it: the learner is told plainly and nobody gets back in', async ({
  page: teacher,
  servers,
  freshPage,
}) => {
  test.setTimeout(60_000);
  const base = servers.web;
  const post = async (p: string, body: object) => {
    const r = await fetch(`${base}${p}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  };
  const created = (await post('/api/rooms', { name: 'ending soon' })).body;
  const id = created.room.id as string;
  const ada = (await post(`/api/rooms/${id}/join`, { code: created.joinCode, name: 'Ada' })).body;

  const learner = await freshPage();
  const saved = { v: 1, learner: { id: ada.learnerId, key: ada.learnerKey, name: 'Ada' }, passed: [] };
  await learner.addInitScript(([k, v]) => localStorage.setItem(k!, v!), [`bpfplay:room:${id}`, JSON.stringify(saved)]);
  await learner.goto(`${base}/rooms/${id}`);
  await expect(learner.getByTestId('run')).toBeEnabled({ timeout: 30_000 });

  await teacher.goto(`${base}/rooms/${id}/teach#key=${created.instructorKey}`);
  await expect(teacher.getByTestId('teach-status')).toHaveText('live');
  await expect(teacher.getByTestId('count-online')).toHaveText('1 of 1 online');
  await teacher.getByTestId('end-room').click();
  await expect(teacher.getByTestId('room-confirm')).toContainText('nobody can join');
  await teacher.getByTestId('confirm-end').click();
  await expect(teacher.getByTestId('room-ended')).toHaveText('This room has ended: nobody can join or run.');

  await expect(learner.getByTestId('learner-status')).toHaveText(
    'the instructor ended this room; your code stays in this browser',
  );
  await expect(learner.getByTestId('run')).toBeDisabled();
  // A reload does not bring the learner back in, and the join page says the room is over.
  await learner.reload();
  await expect(learner.getByTestId('learner-status')).toHaveText(/^this room ended at \S+; your code stays/);
  const late = await post(`/api/rooms/${id}/join`, { code: created.joinCode, name: 'Late' });
  expect(late.status).toBe(410);
  const visitor = await freshPage();
  await visitor.goto(`${base}/rooms/${id}`);
  await expect(visitor.getByText('This room has ended.')).toBeVisible();
  await expect(visitor.getByRole('button', { name: 'Join' })).toBeDisabled();

  await teacher.getByTestId('delete-room').click();
  await teacher.getByTestId('confirm-delete').click();
  await expect(teacher.getByTestId('teach-status')).toHaveText('room deleted with its learners and their code');
  expect((await fetch(`${base}/api/rooms/${id}`)).status).toBe(404);
});
