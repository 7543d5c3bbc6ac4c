import { expect, screenshot, test } from './fixtures';

test('a new user registers, logs out, sees a clear error for a wrong password, and logs in', async ({ page, chat, account }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await screenshot(page, '01-login');

  await chat.register(account);
  await expect(page.getByText(account.username)).toBeVisible();

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await chat.login({ ...account, password: 'not-the-password' });
  await expect(page.getByRole('alert')).toContainText(/wrong username or password|invalid/i);

  await chat.login(account);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
});

test('registering a name that is taken says so', async ({ page, chat, account }) => {
  await chat.register(account);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByLabel('Repeat the password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
});

test('an invalid token sends the user back to login with a message', async ({ page, chat, account }) => {
  await chat.register(account);
  await page.evaluate(() => {
    const raw = sessionStorage.getItem('rai.auth') as string;
    sessionStorage.setItem('rai.auth', JSON.stringify({ ...JSON.parse(raw), token: 'not-a-valid-token', expiresAt: null }));
  });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Your session has expired. Please sign in again.')).toBeVisible();
});

test('logging out revokes the token on the server; other devices stay signed in', async ({ page, chat, account, request }) => {
  await chat.register(account);
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('rai.auth') as string).token as string);
  const other = await request.post('/api/auth/login', { data: account });
  const otherToken = ((await other.json()) as { access_token: string }).access_token;
  const me = (t: string) => request.get('/api/auth/me', { headers: { Authorization: `Bearer ${t}` } });
  expect((await me(token)).status()).toBe(200);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect.poll(async () => (await me(token)).status()).toBe(401);
  expect((await me(otherToken)).status()).toBe(200);
});

test('a user changes the password in Settings, then signs out everywhere', async ({ page, chat, account, request }) => {
  await chat.register(account);
  const other = await request.post('/api/auth/login', { data: account });
  const otherToken = ((await other.json()) as { access_token: string }).access_token;
  const me = (t: string) => request.get('/api/auth/me', { headers: { Authorization: `Bearer ${t}` } });

  await page.getByRole('button', { name: 'Open settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByLabel('Current password').fill('not the password');
  await settings.getByLabel('New password', { exact: true }).fill('a brand new pw 1');
  await settings.getByLabel('Repeat the new password').fill('a brand new pw 1');
  await settings.getByRole('button', { name: 'Change password' }).click();
  await expect(settings.getByRole('alert')).toHaveText('The current password is not right.');

  await settings.getByLabel('Current password').fill(account.password);
  await settings.getByRole('button', { name: 'Change password' }).click();
  await expect(settings.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();
  // The page goes on with its new token; the other device's token is revoked.
  expect((await me(otherToken)).status()).toBe(401);
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('rai.auth') as string).token as string);
  expect((await me(token)).status()).toBe(200);

  await settings.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('You were signed out on every device.')).toBeVisible();
  expect((await me(token)).status()).toBe(401);

  await chat.login({ ...account, password: 'a brand new pw 1' });
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
});
