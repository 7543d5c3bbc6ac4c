import { expect, test } from './fixtures';

const LONG_FIRST = 'Could you please explain in some detail how the tides work along the Atlantic coast of France';

test('the top bar shows the title; the rename box starts without the "…" of a cut title', async ({ page, chat, account }) => {
  await chat.register(account);
  await chat.send(LONG_FIRST);
  await chat.waitForAnswerDone();
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText(/…$/);
  const cut = (await heading.textContent()) as string;
  const item = page.locator('.session-item').first();
  await item.hover();
  await item.getByRole('button', { name: /^Rename/ }).click();
  const input = page.getByLabel(/^New name for/);
  await expect(input).toHaveValue(cut.replace(/\s*…$/, ''));
  await input.fill('Atlantic tides');
  await input.press('Enter');
  await expect(heading).toHaveText('Atlantic tides');
});

test('an imported copy is marked "(imported)"', async ({ page, chat, account }) => {
  await chat.register(account);
  await page.getByRole('button', { name: 'Open settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  const transcript = {
    format: 'rai-chat-session',
    version: 1,
    session: { title: 'Garden plans' },
    messages: [
      { role: 'user', content: 'What should I plant in April?' },
      { role: 'assistant', content: 'Peas and lettuce.' },
    ],
  };
  await settings.getByLabel('Chat export file to import').setInputFiles({ name: 'garden.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(transcript)) });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Garden plans (imported)');
  await expect(chat.sidebarItem('Garden plans (imported)')).toBeVisible();
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);

  // Exports are named from the title and the date, alike in both formats.
  await page.getByRole('button', { name: 'Open settings' }).click();
  const today = new Date().toISOString().slice(0, 10);
  for (const [label, ext] of [['Export chat (Markdown)', 'md'], ['Export chat (JSON)', 'json']]) {
    const download = page.waitForEvent('download');
    await settings.getByRole('button', { name: label }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`garden-plans-imported-${today}.${ext}`);
    if (ext === 'md') {
      const text = await (await import('node:fs/promises')).readFile(await file.path(), 'utf-8');
      expect(text).toMatch(/_Chat started \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC; exported from RAI Chat/);
    }
  }
});
