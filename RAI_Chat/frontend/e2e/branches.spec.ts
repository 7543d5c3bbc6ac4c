/**
 * The conversation tree in the browser: regenerate (and the ‹ 2/3 › switcher), edit in place,
 * continue, fork, the keyboard shortcuts and their help dialog, Retry without a duplicate,
 * and a reload in the middle of a regenerated answer.
 */
import type { Page } from '@playwright/test';
import { expect, LONG_PROMPT, screenshot, seriousViolations, test } from './fixtures';

test.beforeEach(async ({ chat, account }) => {
  await chat.register(account);
});

const answers = (page: Page) => page.locator('article[data-role="assistant"]');
const questions = (page: Page) => page.locator('article[data-role="user"]');

/** The open chat as the API has it (its active branch). */
async function storedBranch(page: Page): Promise<Array<{ id: string; role: string; content: string; sibling_count?: number }>> {
  const id = new URL(page.url()).pathname.split('/').pop() as string;
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('rai.auth') as string).token as string);
  const res = await page.request.get(`/api/session/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { messages: Array<{ id: string; role: string; content: string; sibling_count?: number }> }).messages.reverse();
}

test('Regenerate adds a second answer; ‹ 1/2 › switches between them', async ({ page, chat }) => {
  await chat.send('Hello! In two sentences, what can you help me with?');
  await chat.waitForAnswerDone();
  const firstId = await chat.lastAnswer().getAttribute('data-message-id');

  const regenerate = page.waitForRequest((r) => r.url().endsWith('/api/chat/regenerate') && r.method() === 'POST');
  await chat.lastAnswer().getByRole('button', { name: 'Regenerate this answer' }).click();
  expect((await regenerate).postDataJSON()).toMatchObject({ message_id: firstId, streaming: true });
  await chat.waitForAnswerDone();
  const versions = chat.lastAnswer().getByRole('group', { name: 'Versions of this answer' });
  await expect(versions).toContainText('2/2');
  const secondId = await chat.lastAnswer().getAttribute('data-message-id');
  expect(secondId).not.toBe(firstId);
  await expect(answers(page)).toHaveCount(1);
  await expect(questions(page)).toHaveCount(1);
  await screenshot(page, '10-regenerated-answer');
  expect(await seriousViolations(page)).toEqual([]);

  await versions.getByRole('button', { name: 'Previous version of this answer' }).click();
  await expect(chat.lastAnswer()).toHaveAttribute('data-message-id', firstId as string);
  await expect(chat.lastAnswer().getByRole('group', { name: 'Versions of this answer' })).toContainText('1/2');
  // The server shows the same branch after a reload.
  await page.reload();
  await expect(chat.lastAnswer()).toHaveAttribute('data-message-id', firstId as string);
  await chat.lastAnswer().getByRole('button', { name: 'Next version of this answer' }).click();
  await expect(chat.lastAnswer()).toHaveAttribute('data-message-id', secondId as string);
  await expect(chat.lastAnswer().getByRole('group', { name: 'Versions of this answer' })).toContainText('2/2');
});

test('Edit in place: Esc cancels; Enter sends a new version that is answered; the old one stays', async ({ page, chat }) => {
  await chat.send('What is the capital of France?');
  await chat.waitForAnswerDone();
  const question = questions(page).last();

  await question.getByRole('button', { name: 'Edit this message' }).click();
  const editor = page.getByRole('textbox', { name: 'Edit your message' });
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue('What is the capital of France?');
  expect(await seriousViolations(page)).toEqual([]);
  await editor.fill('Something else entirely');
  await editor.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(questions(page).last()).toContainText('What is the capital of France?');
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['What is the capital of France?']);

  await questions(page).last().getByRole('button', { name: 'Edit this message' }).click();
  await page.getByRole('textbox', { name: 'Edit your message' }).fill('What is the capital of Italy?');
  const edit = page.waitForRequest((r) => r.url().endsWith('/api/chat/edit') && r.method() === 'POST');
  await page.getByRole('textbox', { name: 'Edit your message' }).press('Enter');
  expect((await edit).postDataJSON()).toMatchObject({ message: 'What is the capital of Italy?', streaming: true });
  await chat.waitForAnswerDone();
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['What is the capital of Italy?']);
  const versions = questions(page).last().getByRole('group', { name: 'Versions of this message' });
  await expect(versions).toContainText('2/2');
  await expect(answers(page)).toHaveCount(1);

  await versions.getByRole('button', { name: 'Previous version of this message' }).click();
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['What is the capital of France?']);
  await expect(answers(page)).toHaveCount(1);
});

test('↑ in the empty box edits the last message', async ({ page, chat }) => {
  await chat.send('First question');
  await chat.waitForAnswerDone();
  await chat.send('Second question');
  await chat.waitForAnswerDone();
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await box.press('ArrowUp');
  const editor = page.getByRole('textbox', { name: 'Edit your message' });
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue('Second question');
  await expect(questions(page).last().getByRole('textbox', { name: 'Edit your message' })).toHaveCount(1);
  await editor.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(box).toBeFocused();
});

test('Continue writes more of a stopped answer in place', async ({ page, chat }) => {
  await chat.send(LONG_PROMPT);
  await chat.waitForStreamingText(20);
  await page.getByRole('button', { name: 'Stop the answer' }).click();
  await expect(chat.lastAnswer()).toHaveAttribute('data-saved', 'true');
  const stopped = await chat.answerText();
  const id = await chat.lastAnswer().getAttribute('data-message-id');

  const request = page.waitForRequest((r) => r.url().endsWith('/api/chat/continue') && r.method() === 'POST');
  await chat.lastAnswer().getByRole('button', { name: 'Continue this answer' }).click();
  expect((await request).postDataJSON()).toMatchObject({ message_id: id, streaming: true });
  const final = await chat.waitForAnswerDone();
  await expect(chat.lastAnswer()).toHaveAttribute('data-message-id', id as string);
  expect(final.length).toBeGreaterThan(stopped.length);
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  expect(flat(final).startsWith(flat(stopped))).toBe(true);
  await expect(answers(page)).toHaveCount(1);
  // The same text after a reload: the continuation was saved into the same answer.
  await page.reload();
  await expect(chat.lastAnswer()).toHaveAttribute('data-message-id', id as string);
  expect(flat(await chat.answerText())).toBe(flat(final));
});

test('Fork opens a new chat holding the branch', async ({ page, chat }) => {
  await chat.send('Tell me about forks in version control.');
  await chat.waitForAnswerDone();
  const original = page.url();
  const fork = page.waitForResponse((r) => /\/api\/session\/[^/]+\/fork$/.test(r.url()) && r.request().method() === 'POST');
  await chat.lastAnswer().getByRole('button', { name: 'Fork the conversation from here' }).click();
  expect((await fork).status()).toBe(201);
  await expect(page).not.toHaveURL(original);
  await expect(page).toHaveURL(/\/c\/[^/]+$/);
  await expect(questions(page)).toHaveCount(1);
  await expect(questions(page).last()).toContainText('Tell me about forks in version control.');
  await expect(answers(page)).toHaveCount(1);
  await expect(page.locator('.session-item')).toHaveCount(2);
  // The original chat is still there, unchanged.
  await page.goBack();
  await expect(page).toHaveURL(original);
  await expect(questions(page)).toHaveCount(1);
});

test('the shortcuts dialog: the ? button and the ? key, focus kept inside, Esc closes', async ({ page }) => {
  const button = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await button.click();
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  for (const text of ['Shift', 'Esc', '↑', 'Start a new line', 'edit your last message']) await expect(dialog).toContainText(text);
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  await screenshot(page, '11-shortcuts-dialog');
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(button).toBeFocused();

  // "?" typed in the message box is text; outside a text field it opens the help.
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await page.keyboard.type('?');
  await expect(box).toHaveValue('?');
  await expect(dialog).toHaveCount(0);
  await box.fill('');
  await page.locator('.topbar-title').click();
  await page.keyboard.press('?');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
});

test('Retry after an error asks for a new answer; the message is not sent twice', async ({ page, chat }) => {
  // The server answers (and saves the message); the page is told the answer failed.
  let posts = 0;
  await page.route('**/api/chat/', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    posts++;
    const response = await route.fetch();
    // Everything up to the event that names the turn, then an error instead of the answer.
    const blocks = (await response.text()).split(/\r?\n\r?\n/);
    const named = blocks.findIndex((block) => block.includes('"session"'));
    expect(named).toBeGreaterThanOrEqual(0);
    const head = blocks.slice(0, named + 1).join('\n\n');
    await route.fulfill({ response, body: `${head}\n\nid: 999\ndata: ${JSON.stringify({ type: 'error', error: 'The engine stopped answering (test)' })}\n\n` });
  });
  await chat.send('Please answer this only once.');
  const alert = chat.lastAnswer().getByRole('alert');
  await expect(alert).toContainText('The engine stopped answering (test)');
  const regenerate = page.waitForRequest((r) => r.url().endsWith('/api/chat/regenerate') && r.method() === 'POST');
  await alert.getByRole('button', { name: /Retry/ }).click();
  await regenerate;
  await chat.waitForAnswerDone();
  expect(posts).toBe(1);
  await expect(questions(page)).toHaveCount(1);
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('');
  const branch = await storedBranch(page);
  expect(branch.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['Please answer this only once.']);
  await page.reload();
  await expect(questions(page)).toHaveCount(1);
  await expect(chat.lastAnswer().getByRole('group', { name: 'Versions of this answer' })).toContainText('2/2');
});

test('a reload in the middle of a regenerated answer resumes it', async ({ page, chat }) => {
  await chat.send(LONG_PROMPT);
  await chat.waitForAnswerDone();
  const resumes: Array<string | undefined> = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/chat/stream/')) resumes.push(request.headers()['last-event-id']);
  });
  await chat.lastAnswer().getByRole('button', { name: 'Regenerate this answer' }).click();
  const before = await chat.waitForStreamingText(10);
  const id = await chat.lastAnswer().getAttribute('data-message-id');
  await page.reload();
  await expect(chat.lastAnswer()).toHaveAttribute('data-message-id', id as string);
  const final = await chat.waitForAnswerDone();
  expect(resumes.length).toBeGreaterThan(0);
  expect(resumes[0]).toMatch(/\S/);
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  expect(flat(final).startsWith(flat(before).slice(0, 12))).toBe(true);
  await expect(answers(page)).toHaveCount(1);
  await expect(chat.lastAnswer().getByRole('group', { name: 'Versions of this answer' })).toContainText('2/2');
});
