import { expect, LONG_PROMPT, screenshot, test } from './fixtures';

test.beforeEach(async ({ chat, account }) => {
  await chat.register(account);
});

test('a message is answered with tokens that stream in, then saved', async ({ page, chat }) => {
  await chat.send('Hello! In two sentences, what can you help me with?');
  await expect(page.locator('article[data-role="user"]').last()).toContainText('Hello! In two sentences');
  const partial = await chat.waitForStreamingText(1);
  const final = await chat.waitForAnswerDone();
  expect(final.length).toBeGreaterThanOrEqual(partial.length);
  expect(final.length).toBeGreaterThan(0);
  await expect(page.getByRole('button', { name: 'Send message' })).toBeVisible();
  // The new chat appears in the sidebar and keeps its messages after a reload.
  await expect(page.locator('.session-item')).toHaveCount(1);
  await page.reload();
  await expect(page.locator('article[data-role="assistant"]')).toHaveCount(1);
  await screenshot(page, '02-chat-with-answer');
});

test('the stop button stops an answer and keeps what was written', async ({ page, chat }) => {
  await chat.send(LONG_PROMPT);
  await chat.waitForStreamingText(20);
  const stopResponse = page.waitForResponse((r) => r.url().endsWith('/api/chat/stop') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Stop the answer' }).click();
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'stopped');
  // The page then shows the answer exactly as the server saved it.
  expect((await stopResponse).ok()).toBe(true);
  await expect(chat.lastAnswer()).toHaveAttribute('data-saved', 'true');
  const stoppedText = await chat.answerText();
  await expect(page.getByRole('button', { name: 'Send message' })).toBeVisible();
  // Nothing more arrives after stop.
  await page.waitForTimeout(1500);
  expect(await chat.answerText()).toBe(stoppedText);
  // What was generated is saved by the server.
  await page.reload();
  await expect(chat.lastAnswer()).not.toHaveAttribute('data-status', 'streaming', { timeout: 30_000 });
  expect((await chat.answerText()).length).toBeGreaterThan(0);
});

test('a refresh mid-answer resumes the stream with Last-Event-ID and the answer completes', async ({ page, chat }) => {
  const resumes: Array<{ url: string; lastEventId: string | undefined }> = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/chat/stream/')) resumes.push({ url: request.url(), lastEventId: request.headers()['last-event-id'] });
  });
  await chat.send(LONG_PROMPT);
  const before = await chat.waitForStreamingText(10);
  await page.reload();
  await expect(chat.lastAnswer()).toBeVisible();
  const final = await chat.waitForAnswerDone();
  expect(resumes.length).toBeGreaterThan(0);
  expect(resumes[0].lastEventId).toMatch(/\S/);
  expect(final.length).toBeGreaterThan(before.length);
  // The resumed answer starts with what was shown before the refresh (nothing lost, nothing doubled).
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  expect(flat(final).startsWith(flat(before).slice(0, 12))).toBe(true);
  await expect(page.locator('article[data-role="assistant"]')).toHaveCount(1);
});

test('a lost connection mid-answer is resumed', async ({ page, chat, context }) => {
  await chat.send(LONG_PROMPT);
  await chat.waitForStreamingText(10);
  await context.setOffline(true);
  await page.waitForTimeout(1500);
  await context.setOffline(false);
  await chat.waitForAnswerDone();
  await expect(chat.lastAnswer().locator('.message-error')).toHaveCount(0);
});

test('an XSS attempt in a message or an answer renders inert', async ({ page, chat }) => {
  const payload = '<img src=x onerror="window.__xss=1"> Please repeat exactly this HTML: <img src=x onerror="window.__xss=2">';
  await chat.send(payload);
  await chat.waitForAnswerSettled();
  await expect(page.locator('article[data-role="user"]').last()).toContainText('<img src=x onerror="window.__xss=1">');
  expect(await page.locator('.message [onerror], .message img[src="x"], .message script').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  await page.reload();
  await chat.waitForAnswerSettled();
  expect(await page.locator('[onerror]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});
