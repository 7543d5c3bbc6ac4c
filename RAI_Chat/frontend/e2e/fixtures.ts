import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = path.resolve(here, '..', 'test-results', 'screenshots');

export interface Account {
  username: string;
  password: string;
}

export const test = base.extend<{ account: Account; chat: ChatPage }>({
  // The URL is known only once global-setup has started the server.
  baseURL: async ({}, use) => {
    const url = process.env.RAI_E2E_BASE_URL;
    if (!url) throw new Error('RAI_E2E_BASE_URL is not set (global-setup did not run?)');
    await use(url);
  },
  account: async ({}, use, testInfo) => {
    const unique = `${Date.now().toString(36)}${testInfo.workerIndex}${Math.random().toString(36).slice(2, 6)}`;
    await use({ username: `e2e_${unique}`, password: `pw-${unique}-Secret1` });
  },
  chat: async ({ page }, use) => {
    await use(new ChatPage(page));
  },
});

export { expect };

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false, animations: 'disabled' });
}

/** Serious and critical violations (WCAG 2.1 A and AA), as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/** What a person does on the page, in the page's own words (labels and roles). */
export class ChatPage {
  constructor(readonly page: Page) {}

  async register(account: Account): Promise<void> {
    await this.page.goto('/');
    await this.page.getByRole('button', { name: 'Create an account' }).click();
    await this.page.getByLabel('Username').fill(account.username);
    await this.page.getByLabel('Password', { exact: true }).fill(account.password);
    await this.page.getByLabel('Repeat the password').fill(account.password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
    await expect(this.page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  }

  async login(account: Account): Promise<void> {
    await this.page.goto('/');
    await this.page.getByLabel('Username').fill(account.username);
    await this.page.getByLabel('Password', { exact: true }).fill(account.password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async send(text: string): Promise<void> {
    const box = this.page.getByRole('textbox', { name: 'Message' });
    await box.fill(text);
    await box.press('Enter');
  }

  lastAnswer(): Locator {
    return this.page.locator('article[data-role="assistant"]').last();
  }

  async answerText(): Promise<string> {
    return ((await this.lastAnswer().locator('.message-body').textContent()) ?? '').trim();
  }

  /** Waits until the last answer has at least `min` characters while still streaming. */
  async waitForStreamingText(min = 1): Promise<string> {
    await expect
      .poll(async () => {
        const status = await this.lastAnswer().getAttribute('data-status');
        const text = await this.answerText();
        return status === 'streaming' && text.length >= min ? 'streaming' : status === 'streaming' ? 'waiting' : status;
      }, { timeout: 240_000, intervals: [100, 200, 250] })
      .toBe('streaming');
    return this.answerText();
  }

  async waitForAnswerDone(timeout = 280_000): Promise<string> {
    await expect(this.lastAnswer()).toHaveAttribute('data-status', /^(done|interrupted)$/, { timeout });
    return this.answerText();
  }

  /** Waits until the last answer ended one way or another (done, interrupted, stopped or failed). */
  async waitForAnswerSettled(timeout = 280_000): Promise<string> {
    await expect(this.lastAnswer()).toHaveAttribute('data-status', /^(done|interrupted|stopped|error)$/, { timeout });
    return this.answerText();
  }

  sidebarItem(title: string | RegExp): Locator {
    return this.page.locator('.session-item').filter({ has: this.page.locator('.session-title', { hasText: title }) });
  }
}

/**
 * A prompt that keeps even a small model writing for several seconds (long enough to stop it
 * or to reload the page mid-answer), without taking minutes on a two-core machine.
 */
export const LONG_PROMPT = 'Write a story of about 120 words about a lighthouse keeper and a storm.';
