import { expect, test } from './fixtures';

const CHAT_URL = /\/c\/[0-9a-f-]{36}$/;

test('every chat has an address: Back, Forward, reload and links move between chats', async ({ page, chat, account }) => {
  await chat.register(account);
  await expect(page).toHaveURL(/\/$/);
  await chat.send('First chat about apples');
  await chat.waitForAnswerDone();
  await expect(page).toHaveURL(CHAT_URL);
  const first = page.url();

  await page.getByRole('button', { name: 'New chat' }).first().click();
  await expect(page).toHaveURL(/\/$/);
  await chat.send('Second chat about pears');
  await chat.waitForAnswerDone();
  await expect(page).toHaveURL(CHAT_URL);
  const second = page.url();
  expect(second).not.toBe(first);

  await page.goBack();
  await expect(page).toHaveURL(first);
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['First chat about apples']);
  await page.goForward();
  await expect(page).toHaveURL(second);
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['Second chat about pears']);

  // A reload stays on the chat of the address (not the last one opened).
  await page.goto(first);
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['First chat about apples']);
  await page.reload();
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['First chat about apples']);

  // The sidebar's chats are links to their addresses.
  const link = page.locator('.session-item a.session-open').filter({ hasText: /pears/ });
  await expect(link).toHaveAttribute('href', new URL(second).pathname);
  await link.click();
  await expect(page).toHaveURL(second);
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['Second chat about pears']);
});

test('settings and memory are panels over the chat with their own addresses', async ({ page, chat, account }) => {
  await chat.register(account);
  await chat.send('A chat behind the panels');
  await chat.waitForAnswerDone();
  await expect(page).toHaveURL(CHAT_URL);
  const chatUrl = page.url();

  await page.getByRole('button', { name: 'Open settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
  await page.getByRole('button', { name: 'Close settings' }).click();
  await expect(page).toHaveURL(chatUrl);
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['A chat behind the panels']);

  await page.getByRole('button', { name: 'Open memory' }).click();
  await expect(page).toHaveURL(/\/memory$/);
  await expect(page.getByRole('dialog', { name: 'Memory' })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(chatUrl);
  await expect(page.getByRole('dialog', { name: 'Memory' })).toHaveCount(0);

  // Opened straight from its address.
  await page.goto('/memory');
  await expect(page.getByRole('dialog', { name: 'Memory' })).toBeVisible();
});

test("a link to another user's chat says not found; the page loads from a deep address", async ({ page, chat, account, browser }) => {
  await chat.register(account);
  await chat.send('Private things');
  await chat.waitForAnswerDone();
  await expect(page).toHaveURL(CHAT_URL);
  const theirs = new URL(page.url()).pathname;

  const other = await browser.newContext({ baseURL: new URL(page.url()).origin });
  const intruder = await other.newPage();
  const failed: string[] = [];
  intruder.on('response', (r) => {
    if (r.status() >= 400 && !r.url().includes('/api/')) failed.push(r.url());
  });
  const them = new (chat.constructor as new (p: typeof intruder) => typeof chat)(intruder);
  await them.register({ username: `${account.username}x`, password: account.password });
  await intruder.goto(theirs);
  await expect(intruder.getByRole('alert')).toContainText('Chat not found');
  await expect(intruder.getByText('Private things')).toHaveCount(0);
  expect(failed).toEqual([]);
  await other.close();
});

test('phone: the chat list drawer opens chats by their address and Back returns', async ({ page, chat, account }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await chat.register(account);
  await chat.send('Phone chat one');
  await chat.waitForAnswerDone();
  await expect(page).toHaveURL(CHAT_URL);
  const first = page.url();
  await page.getByRole('button', { name: 'New chat' }).last().click();
  await expect(page).toHaveURL(/\/$/);
  await chat.send('Phone chat two');
  await chat.waitForAnswerDone();
  await expect(page).toHaveURL(CHAT_URL);
  const second = page.url();

  await page.getByRole('button', { name: 'Open the chat list' }).click();
  await page.locator('.session-item a.session-open').filter({ hasText: 'Phone chat one' }).click();
  await expect(page).toHaveURL(first);
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['Phone chat one']);
  await expect(page.getByRole('button', { name: 'Open the chat list' })).toHaveAttribute('aria-expanded', 'false');
  await page.goBack();
  await expect(page).toHaveURL(second);
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['Phone chat two']);
});

test.describe('on a touch phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('opening a chat does not focus the message box (no keyboard popping up)', async ({ page, chat, account }) => {
    await chat.register(account);
    expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);
    await chat.send('Touch chat');
    await chat.waitForAnswerDone();
    await page.reload();
    await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['Touch chat']);
    await expect(page.getByRole('textbox', { name: 'Message' })).not.toBeFocused();
  });
});

test('on a computer, opening a chat focuses the message box', async ({ page, chat, account }) => {
  await chat.register(account);
  await chat.send('Desk chat');
  await chat.waitForAnswerDone();
  await page.reload();
  await expect(page.locator('article[data-role="user"] .message-text')).toHaveText(['Desk chat']);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
});
