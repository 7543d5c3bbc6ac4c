import { expect, LONG_PROMPT, test } from './fixtures';

test.beforeEach(async ({ chat, account }) => {
  await chat.register(account);
});

test('the status line shows only until the first words, with no stray cursor', async ({ page, chat }) => {
  await chat.send(LONG_PROMPT);
  await chat.waitForStreamingText(10);
  await expect(chat.lastAnswer().locator('.status-line')).toHaveCount(0);
  await expect(chat.lastAnswer().locator('.cursor')).toHaveCount(0);
  await chat.waitForAnswerDone();
  await expect(chat.lastAnswer().getByRole('button', { name: 'Copy this answer' })).toBeVisible();
  void page;
});

test('a stopped answer stays "Stopped" after a reload, with exactly the text shown', async ({ page, chat }) => {
  await chat.send(LONG_PROMPT);
  await chat.waitForStreamingText(20);
  const stopped = page.waitForResponse((r) => r.url().endsWith('/api/chat/stop') && r.request().method() === 'POST');
  await page.keyboard.press('Escape'); // Esc stops, like the Stop button
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'stopped');
  await expect(chat.lastAnswer().locator('.message-note')).toHaveText('Stopped');
  await expect(page.getByRole('button', { name: 'Send message' })).toBeVisible();
  // The server answers the stop with the answer as saved; the page then shows exactly that.
  const saved = ((await (await stopped).json()) as { message: { content: string } }).message.content;
  expect(saved.length).toBeGreaterThan(0);
  await expect(chat.lastAnswer()).toHaveAttribute('data-saved', 'true');
  const shown = await chat.answerText();
  await page.reload();
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'stopped');
  await expect(chat.lastAnswer().locator('.message-note')).toHaveText('Stopped');
  expect(await chat.answerText()).toBe(shown);
  await expect(page.getByText('The answer was interrupted before the end')).toHaveCount(0);
});

test('what an answer remembered is listed under it, also after a reload, and links to the memory panel', async ({ page, chat }) => {
  await chat.send('Please remember that my favourite city is Lyon.');
  await chat.waitForAnswerDone();
  const id = new URL(page.url()).pathname.split('/').pop() as string;
  // The stored message as the API gives it, with the action it took (the test model does
  // not decide to remember on its own): the page must show it from the stored actions.
  await page.route(`**/api/session/${id}?*`, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { messages: Array<Record<string, unknown>> };
    for (const m of body.messages) {
      if (m.role === 'assistant') m.actions = [{ type: 'action', action: 'remember', input: ['favourite city is Lyon'], outcome: 'ok', detail: 'remembered' }];
    }
    await route.fulfill({ response, json: body });
  });
  await page.reload();
  const label = chat.lastAnswer().getByRole('list', { name: 'What the assistant did' });
  await expect(label).toHaveText('Remembered: favourite city is Lyon');
  await label.getByRole('link', { name: 'Remembered: favourite city is Lyon' }).click();
  await expect(page).toHaveURL(/\/memory$/);
  await expect(page.getByRole('dialog', { name: 'Memory' })).toBeVisible();
});
