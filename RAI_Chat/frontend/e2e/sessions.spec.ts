import { expect, test } from './fixtures';

test('a chat is renamed and deleted from the sidebar', async ({ page, chat, account }) => {
  await chat.register(account);
  await chat.send('Say hi in three words.');
  await chat.waitForAnswerDone();
  await expect(page.locator('.session-item')).toHaveCount(1);

  const item = page.locator('.session-item').first();
  await item.hover();
  await item.getByRole('button', { name: /^Rename/ }).click();
  const input = page.getByLabel(/^New name for/);
  await input.fill('Greetings test');
  await input.press('Enter');
  await expect(chat.sidebarItem('Greetings test')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Greetings test' })).toBeVisible();
  await page.reload();
  await expect(chat.sidebarItem('Greetings test')).toBeVisible();

  // Delete, undo, delete again and let the undo time pass.
  await chat.sidebarItem('Greetings test').hover();
  await chat.sidebarItem('Greetings test').getByRole('button', { name: /^Delete/ }).click();
  await expect(chat.sidebarItem('Greetings test')).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(chat.sidebarItem('Greetings test')).toBeVisible();
  await chat.sidebarItem('Greetings test').hover();
  await chat.sidebarItem('Greetings test').getByRole('button', { name: /^Delete/ }).click();
  const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes('/api/session/'), { timeout: 20_000 });
  expect((await deleted).ok()).toBe(true);
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(chat.sidebarItem('Greetings test')).toHaveCount(0);
});

test('chats are searched from the sidebar', async ({ page, chat, account }) => {
  await chat.register(account);
  await chat.send('Tell me one fact about octopuses.');
  await chat.waitForAnswerDone();
  const item = page.locator('.session-item').first();
  await item.hover();
  await item.getByRole('button', { name: /^Rename/ }).click();
  await page.getByLabel(/^New name for/).fill('Octopus facts');
  await page.getByLabel(/^New name for/).press('Enter');
  await page.getByRole('button', { name: 'New chat' }).first().click();
  await chat.send('What is 2 + 2?');
  await chat.waitForAnswerDone();
  await expect(page.locator('.session-item')).toHaveCount(2);
  await page.getByRole('searchbox', { name: 'Search chats' }).fill('Octopus');
  await expect(page.locator('.session-item')).toHaveCount(1);
  await expect(chat.sidebarItem('Octopus facts')).toBeVisible();
});
