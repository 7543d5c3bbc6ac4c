import { expect, test } from './fixtures';

for (const size of [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 390, height: 844 }]) {
  test(`${size.name}: a message over the server's limit is counted and not sent`, async ({ page, chat, account }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    await chat.register(account);
    const caps = (await (await page.request.get('/api/capabilities', {
      headers: { Authorization: `Bearer ${await page.evaluate(() => JSON.parse(sessionStorage.getItem('rai.auth') as string).token as string)}` },
    })).json()) as { max_message_chars: number };
    const limit = caps.max_message_chars;
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('x'.repeat(limit + 8000));
    const counter = page.locator('#composer-count');
    await expect(counter).toHaveText(`8,000 characters over the limit of ${limit.toLocaleString('en')}`);
    await expect(counter).toBeInViewport();
    await expect(page.getByRole('button', { name: 'Send message' })).toBeDisabled();
    await box.press('Enter');
    await expect(page.locator('article[data-role="user"]')).toHaveCount(0);
    await expect(box).toHaveValue('x'.repeat(limit + 8000));

    await box.fill('y'.repeat(limit));
    await expect(counter).toHaveText(`${limit.toLocaleString('en')} / ${limit.toLocaleString('en')}`);
    await expect(page.getByRole('button', { name: 'Send message' })).toBeEnabled();
  });
}

test('the limit is the one the API gives', async ({ page, chat, account }) => {
  await page.route('**/api/capabilities', (route) =>
    route.fulfill({ json: { status: 'success', max_message_chars: 50, max_import_bytes: 1000, web_search: false } }),
  );
  await chat.register(account);
  await page.getByRole('textbox', { name: 'Message' }).fill('z'.repeat(45));
  await expect(page.locator('#composer-count')).toHaveText('45 / 50');
});

test('a failed message stays in the box; Retry only when a retry can help', async ({ page, chat, account }) => {
  await chat.register(account);
  const box = page.getByRole('textbox', { name: 'Message' });
  await page.route('**/api/chat/', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ status: 400, json: { status: 'error', error: 'message: refused for this test' } })
      : route.continue(),
  );
  await chat.send('Refused message');
  await expect(page.getByRole('alert')).toContainText('refused for this test');
  await expect(page.getByRole('button', { name: /Retry/ })).toHaveCount(0);
  await expect(box).toHaveValue('Refused message');

  await page.unroute('**/api/chat/');
  await page.route('**/api/chat/', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ status: 503, json: { status: 'error', error: 'The database is not available right now' } })
      : route.continue(),
  );
  await box.fill('');
  await chat.send('Unlucky message');
  await expect(page.getByRole('alert').filter({ hasText: 'not available' })).toBeVisible();
  await expect(box).toHaveValue('Unlucky message');
  await page.unroute('**/api/chat/');
  await page.getByRole('button', { name: /Retry/ }).click();
  await chat.waitForAnswerDone();
  await expect(box).toHaveValue('');
});
