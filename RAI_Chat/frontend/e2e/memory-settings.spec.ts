import { expect, screenshot, test } from './fixtures';

test('a fact is added, edited and deleted in the memory panel', async ({ page, chat, account }) => {
  await chat.register(account);
  await page.getByRole('button', { name: 'Open memory' }).click();
  const panel = page.getByRole('dialog', { name: 'Memory' });
  await expect(panel).toBeVisible();
  await panel.getByLabel('A fact to remember').fill('My favourite colour is teal');
  await panel.getByRole('button', { name: 'Add' }).click();
  await expect(panel.getByText('My favourite colour is teal')).toBeVisible();
  await expect(panel.locator('.fact').first()).toContainText(/Added by you|Learned in a chat|From/);

  await panel.getByRole('button', { name: 'Edit fact: My favourite colour is teal' }).click();
  await panel.getByLabel('Edit the fact').fill('My favourite colour is green');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByText('My favourite colour is green')).toBeVisible();
  await screenshot(page, '03-memory-panel');

  // It is stored: it is still there after a reload (the panel has its own address, /memory).
  await page.reload();
  await expect(page).toHaveURL(/\/memory$/);
  await expect(panel.getByText('My favourite colour is green')).toBeVisible();
  // Deleting a fact can be undone, like deleting a chat.
  await panel.getByRole('button', { name: 'Delete fact: My favourite colour is green' }).click();
  await expect(panel.getByText('My favourite colour is green')).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(panel.getByText('My favourite colour is green')).toBeVisible();
  const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes('/api/memory/facts/'), { timeout: 20_000 });
  await panel.getByRole('button', { name: 'Delete fact: My favourite colour is green' }).click();
  await expect(panel.getByText('My favourite colour is green')).toHaveCount(0);
  expect((await deleted).ok()).toBe(true);
  await page.reload();
  await expect(panel.getByText(/Nothing remembered yet|Remembered facts/).first()).toBeVisible();
  await expect(panel.getByText('My favourite colour is green')).toHaveCount(0);

  await panel.getByRole('searchbox', { name: 'Search archived memory' }).fill('colour');
  await panel.getByRole('button', { name: 'Search' }).click();
  await expect(panel.getByRole('button', { name: 'Search' })).toBeEnabled();
  await panel.getByRole('button', { name: 'Close memory' }).click();
  await expect(panel).toHaveCount(0);
});

test('a fact links to the message it came from, and its capture is undone in one click', async ({ page, chat, account }) => {
  await chat.register(account);
  // A chat whose export carries the facts captured from it: Lyon replaced Paris.
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('rai.auth') ?? localStorage.getItem('rai.auth') ?? '{}').token as string);
  const imported = await page.request.post('/api/session/import', {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      format: 'rai-chat-session',
      version: 1,
      session: { title: 'Moving house' },
      messages: [
        { role: 'user', content: 'I live in Paris.' },
        { role: 'assistant', content: 'Paris is lovely.' },
        ...Array.from({ length: 30 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `Small talk ${i}.` })),
        { role: 'user', content: 'I moved: I live in Lyon now.' },
        { role: 'assistant', content: 'Enjoy Lyon!' },
      ],
      facts: [
        { fact: "The user's city is Paris", status: 'superseded', message_index: 0, superseded_by: 1 },
        { fact: "The user's city is Lyon", status: 'active', message_index: 32 },
      ],
    },
  });
  expect(imported.status()).toBe(201);
  const sessionId = (await imported.json()).session.id as string;

  await page.reload();
  await page.getByRole('button', { name: 'Open memory' }).click();
  const panel = page.getByRole('dialog', { name: 'Memory' });
  const lyon = panel.locator('.fact', { hasText: "The user's city is Lyon" });
  await expect(lyon).toBeVisible();
  await expect(panel.getByText("The user's city is Paris")).toHaveCount(0);

  // The link opens the chat at that message, scrolled into view and highlighted.
  await lyon.getByRole('link', { name: 'the message it came from' }).click();
  await expect(panel).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/c/${sessionId}$`));
  const source = page.locator('article[data-role="user"]', { hasText: 'I moved: I live in Lyon now.' });
  await expect(source).toHaveClass(/message-highlight/);
  await expect(source).toBeInViewport();

  // Undo the capture: Lyon goes, Paris (which it had replaced) is back, and stays so.
  await page.getByRole('button', { name: 'Open memory' }).click();
  await panel.getByRole('button', { name: "Undo capture: The user's city is Lyon" }).click();
  await expect(panel.getByText("The user's city is Paris")).toBeVisible();
  await expect(panel.getByText("The user's city is Lyon")).toHaveCount(0);
  await page.reload();
  await expect(panel.getByText("The user's city is Paris")).toBeVisible();
  await expect(panel.getByText("The user's city is Lyon")).toHaveCount(0);
});

test('settings switch the theme and show the engine models when the API lists them', async ({ page, chat, account }) => {
  await chat.register(account);
  await page.getByRole('button', { name: 'Open settings' }).click();
  const panel = page.getByRole('dialog', { name: 'Settings' });
  await panel.getByText('Dark', { exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, '04-settings');
  await panel.getByText('Light', { exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await panel.getByText('Dark', { exact: true }).click();
  await page.keyboard.press('Escape');
  await chat.send('Reply with one short sentence about the sea.');
  await chat.waitForAnswerDone();
  await screenshot(page, '05-chat-dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('on a phone-width screen the chat list is a drawer', async ({ page, chat, account }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await chat.register(account);
  await expect(page.getByRole('button', { name: 'Open the chat list' })).toBeVisible();
  await chat.send('Hi!');
  await chat.waitForAnswerDone();
  await screenshot(page, '06-phone-chat');
  await page.getByRole('button', { name: 'Open the chat list' }).click();
  await expect(page.locator('.session-item')).toHaveCount(1);
  await screenshot(page, '07-phone-drawer');
  await page.locator('.session-item .session-open').first().click();
  await expect(page.getByRole('button', { name: 'Open the chat list' })).toBeVisible();
});
