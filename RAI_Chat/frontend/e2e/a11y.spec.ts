import { expect, seriousViolations, test } from './fixtures';

for (const theme of ['light', 'dark'] as const) {
  test(`${theme} theme: no serious accessibility violation on sign-in, chat, memory and settings`, async ({ page, chat, account }) => {
    await page.addInitScript((t) => localStorage.setItem('rai.theme', t), theme);
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await chat.register(account);
    await chat.send('Hello there');
    await chat.waitForAnswerDone();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Open memory' }).click();
    await expect(page.getByRole('dialog', { name: 'Memory' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Close memory' }).click();

    await page.getByRole('button', { name: 'Open settings' }).click();
    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test('every button has a name', async ({ page, chat, account }) => {
  await chat.register(account);
  await chat.send('Hello there');
  await chat.waitForAnswerDone();
  const unnamed = await page.locator('button').evaluateAll((buttons) =>
    buttons.filter((b) => !(b.getAttribute('aria-label') || b.textContent?.trim() || b.getAttribute('title'))).map((b) => b.outerHTML.slice(0, 120)),
  );
  expect(unnamed).toEqual([]);
});
