import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Debian's chromium against the real RAI API and LLM Engine.
 * e2e/global-setup.ts starts them (python -m RAI_Chat.tests.e2e_server) unless
 * RAI_E2E_BASE_URL points at a running API that serves the built page.
 * Screenshots of the main screens go to test-results/screenshots/.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/playwright',
  globalSetup: './e2e/global-setup.ts',
  // One browser at a time: the machine has two cores and the model uses them.
  workers: 1,
  fullyParallel: false,
  retries: process.env.CI ? 1 : 0,
  // A real model on two shared cores: a turn can take a minute or more.
  timeout: 300_000,
  expect: { timeout: 60_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
