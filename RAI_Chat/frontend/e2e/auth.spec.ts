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
