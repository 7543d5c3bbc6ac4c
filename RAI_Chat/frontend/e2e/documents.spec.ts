/**
 * Documents in a real browser against the real API and engine: attach a file the test builds,
 * watch it become ready, ask about it, open the passage an answer's source chip names; files the
 * server refuses show why. The e2e server's model is a fake with a fixed reply, so the test
 * relies only on what the server decides itself: the passages it retrieves for the question
 * (full-text search over the attached document) are the answer's sources, whatever the reply.
 */
import type { Page } from '@playwright/test';
import { expect, screenshot, seriousViolations, test } from './fixtures';

// Page 2 (after the form feed) holds the answer; page 1 shares no word with the question.
const HANDBOOK = [
  'Welcome to Acme. This first page introduces the office, the canteen and the parking garage.',
  'Holiday policy: every employee receives twenty-seven days of paid leave per year, booked through the portal.',
].join('\n\f\n');
const QUESTION = 'How many days of paid leave does an employee get per year?';

// The stand-in API (`npm run e2e:mock`) has no documents: these tests need the real one.
test.skip(Boolean(process.env.RAI_E2E_SERVER_CMD?.includes('mock-api')), 'the stand-in API (scripts/mock-api.mjs) has no /api/documents');

test.beforeEach(async ({ chat, account }) => {
  await chat.register(account);
});

const chip = (page: Page, filename: string) => page.getByRole('list', { name: 'Attached documents' }).getByRole('listitem').filter({ hasText: filename });

async function attach(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(file);
}

test('attach a document, see it become ready, ask about it, and open the passage a source chip names', async ({ page, chat }) => {
  const states: string[] = [];
  page.on('response', async (response) => {
    if (/\/api\/documents(\/[^/]+)?$/.test(new URL(response.url()).pathname) && response.request().method() !== 'DELETE') {
      const body = await response.json().catch(() => null);
      if (body?.document?.status) states.push(body.document.status);
    }
  });
  const uploaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/documents' && r.request().method() === 'POST');
  await attach(page, { name: 'handbook.txt', mimeType: 'text/plain', buffer: Buffer.from(HANDBOOK, 'utf8') });
  const upload = await uploaded;
  expect(upload.status()).toBe(202);
  // Extraction runs in the background: the upload answers before it is done.
  expect(['queued', 'extracting']).toContain((await upload.json()).document.status);
  await expect(chip(page, 'handbook.txt')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(chip(page, 'handbook.txt')).toContainText('Ready');
  // The page followed it by polling until it was ready, and stopped there.
  expect(states[states.length - 1]).toBe('ready');
  expect(states.length).toBeGreaterThanOrEqual(2);
  await screenshot(page, '20-document-attached');
  expect(await seriousViolations(page)).toEqual([]);

  // The first message of the new chat carries the document's id.
  const chatRequest = page.waitForRequest((r) => new URL(r.url()).pathname.replace(/\/$/, '') === '/api/chat' && r.method() === 'POST');
  await chat.send(QUESTION);
  expect((await chatRequest).postDataJSON()).toMatchObject({ message: QUESTION, document_ids: [expect.any(String)] });
  await chat.waitForAnswerDone();

  const sources = chat.lastAnswer().getByRole('list', { name: 'Document sources' });
  const pageTwo = sources.getByRole('button', { name: /handbook\.txt p\. 2$/ });
  await expect(pageTwo).toBeVisible();
  await pageTwo.click();
  const dialog = page.getByRole('dialog', { name: 'Source: handbook.txt' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('passage-text')).toContainText('twenty-seven days of paid leave');
  await expect(dialog).toContainText('Page 2');
  await screenshot(page, '21-document-passage');
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(pageTwo).toBeFocused();

  // After a reload: the chat still has the document, and the answer its sources.
  await page.reload();
  await expect(chip(page, 'handbook.txt')).toHaveAttribute('data-status', 'ready');
  await expect(chat.lastAnswer().getByRole('button', { name: /handbook\.txt p\. 2$/ })).toBeVisible();

  // The library lists it, as attached to this chat.
  await page.getByRole('button', { name: 'Open documents' }).click();
  const library = page.getByRole('dialog', { name: 'Documents' });
  const row = library.getByRole('listitem').filter({ hasText: 'handbook.txt' });
  await expect(row).toContainText('Ready');
  await expect(row).toContainText('In this chat');
  await screenshot(page, '22-document-library');
  expect(await seriousViolations(page)).toEqual([]);
});

async function darkTheme(page: Page) {
  await page.evaluate(() => localStorage.setItem('rai.theme', 'dark'));
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
}

test('a file the server refuses shows why: an executable named .pdf, and an empty file dropped on the chat', async ({ page }) => {
  await darkTheme(page);
  // An ELF executable's header, under a PDF's name: the type is decided by content.
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120, 0)]);
  const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/documents' && r.request().method() === 'POST');
  await attach(page, { name: 'report.pdf', mimeType: 'application/pdf', buffer: elf });
  const response = await refused;
  expect(response.status()).toBe(415);
  const reason = (await response.json()).error as string;
  expect(reason).toMatch(/\S/);
  await expect(chip(page, 'report.pdf')).toHaveAttribute('data-status', 'failed');
  await expect(chip(page, 'report.pdf').getByRole('alert')).toHaveText(`Failed: ${reason}`);

  // Drag and drop: an empty file.
  const transfer = await page.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File([''], 'empty.txt', { type: 'text/plain' }));
    return data;
  });
  const chatRegion = page.getByRole('region', { name: 'Chat' });
  await chatRegion.dispatchEvent('dragenter', { dataTransfer: transfer });
  await expect(page.getByText('Drop files to attach them to this chat')).toBeVisible();
  await chatRegion.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(chip(page, 'empty.txt')).toHaveAttribute('data-status', 'failed');
  await expect(chip(page, 'empty.txt')).toContainText(/Failed: .*empty/i);
  await screenshot(page, '23-document-refused');
  expect(await seriousViolations(page)).toEqual([]);

  // A refused file is not sent with the message, and can be taken away.
  await chip(page, 'report.pdf').getByRole('button', { name: 'Remove report.pdf' }).click();
  await expect(chip(page, 'report.pdf')).toHaveCount(0);
});

test('the library renames and deletes a document; the chat follows', async ({ page }) => {
  await darkTheme(page);
  await attach(page, { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Notes\n\nThe boiler is serviced every March.\n', 'utf8') });
  await expect(chip(page, 'notes.md')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Open documents' }).click();
  const library = page.getByRole('dialog', { name: 'Documents' });
  await library.getByRole('button', { name: 'Rename notes.md' }).click();
  await library.getByLabel('New name for notes.md').fill('boiler.md');
  const renamed = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname.startsWith('/api/documents/'));
  await library.getByRole('button', { name: 'Save' }).click();
  expect((await renamed).status()).toBe(200);
  await expect(library.getByText('boiler.md', { exact: true })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  // The chip above the message box shows the new name.
  await expect(chip(page, 'boiler.md')).toBeVisible();

  await library.getByRole('button', { name: 'Delete boiler.md' }).click();
  await library.getByRole('group', { name: 'Confirm deleting boiler.md' }).getByRole('button', { name: 'Yes, delete' }).click();
  await expect(library.getByText('No documents yet.')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Attached documents' })).toHaveCount(0);
  // Gone on the server too (the address /documents opens the library again).
  await page.reload();
  await expect(page.getByRole('dialog', { name: 'Documents' }).getByText('No documents yet.')).toBeVisible();
});
