import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { describeStatus, pollDelay, pollDocument, uploadDocument, uploadErrorMessage } from './documents';
import { ApiError } from './http';
import type { DocumentInfo } from './types';

const doc = (patch: Partial<DocumentInfo> = {}): DocumentInfo => ({
  id: 'd1',
  filename: 'notes.md',
  status: 'queued',
  pages_total: null,
  pages_done: 0,
  error: null,
  ...patch,
});

describe('document status in words', () => {
  it('says queued, extracting n/N pages, ready, failed: why', () => {
    expect(describeStatus(doc())).toBe('Queued');
    expect(describeStatus(doc({ status: 'extracting', pages_total: 12, pages_done: 3 }))).toBe('Extracting 3/12 pages');
    expect(describeStatus(doc({ status: 'extracting' }))).toBe('Extracting');
    expect(describeStatus(doc({ status: 'ready' }))).toBe('Ready');
    expect(describeStatus(doc({ status: 'failed', error: 'the PDF is encrypted' }))).toBe('Failed: the PDF is encrypted');
  });

  it("keeps the API's own error message, and names the limit when the answer has none", () => {
    expect(uploadErrorMessage(new ApiError('File too large: the limit is 20 MB', 413))).toBe('File too large: the limit is 20 MB');
    expect(uploadErrorMessage(new ApiError('Request failed (HTTP 413).', 413))).toBe('The file is too large.');
    expect(uploadErrorMessage(new ApiError('Request failed (HTTP 415).', 415))).toMatch(/not supported/);
    expect(uploadErrorMessage(new ApiError('The server had a problem (HTTP 507). Try again in a moment.', 507))).toMatch(/storage is full/);
  });

  it('backs off between polls up to a ceiling', () => {
    const delays = Array.from({ length: 10 }, (_, i) => pollDelay(i));
    expect(delays[0]).toBe(500);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
    expect(delays[9]).toBe(5000);
  });
});

describe('uploadDocument', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the file as multipart with the session id, and reads the error envelope', async () => {
    const seen: FormData[] = [];
    installFetch({
      'POST /api/documents': [
        (_u, init) => {
          seen.push(init.body as FormData);
          return jsonResponse({ status: 'success', document: doc() }, 202);
        },
        () => jsonResponse({ status: 'error', error: 'Unsupported file type: application/x-executable' }, 415),
      ],
    });
    const file = new File(['# Hi'], 'notes.md', { type: 'text/markdown' });
    expect((await uploadDocument(file, { sessionId: 's1' })).id).toBe('d1');
    expect(seen[0].get('session_id')).toBe('s1');
    expect((seen[0].get('file') as File).name).toBe('notes.md');
    const err = await uploadDocument(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(415);
    expect(uploadErrorMessage(err)).toBe('Unsupported file type: application/x-executable');
  });
});

describe('pollDocument', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('asks with growing delays until the document is ready, reporting each state', async () => {
    const answers = [doc({ status: 'extracting', pages_total: 3, pages_done: 1 }), doc({ status: 'extracting', pages_total: 3, pages_done: 3 }), doc({ status: 'ready', pages_total: 3, pages_done: 3 })];
    const fetchMock = installFetch({ 'GET /api/documents/d1': answers.map((a) => () => jsonResponse({ status: 'success', document: a })) });
    const updates: string[] = [];
    const result = pollDocument('d1', (d) => updates.push(describeStatus(d)), new AbortController().signal, (n) => 1000 * (n + 1));
    await vi.advanceTimersByTimeAsync(999);
    expect(fetchMock).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1 + 3000);
    expect(await result).toMatchObject({ status: 'ready' });
    expect(updates).toEqual(['Extracting 1/3 pages', 'Extracting 3/3 pages', 'Ready']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('stops asking when aborted (the chat was left)', async () => {
    const fetchMock = installFetch({ 'GET /api/documents/d1': () => jsonResponse({ status: 'success', document: doc({ status: 'extracting' }) }) });
    const controller = new AbortController();
    const result = pollDocument('d1', () => undefined, controller.signal, () => 1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    controller.abort();
    expect(await result).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('tries again after a server error, and ends as failed when the document is gone', async () => {
    installFetch({
      'GET /api/documents/d1': [
        () => jsonResponse({ status: 'error', error: 'busy' }, 503),
        () => jsonResponse({ status: 'success', document: doc({ status: 'extracting' }) }),
        () => jsonResponse({ status: 'error', error: 'Document not found' }, 404),
      ],
    });
    const updates: DocumentInfo[] = [];
    const result = pollDocument('d1', (d) => updates.push(d), new AbortController().signal, () => 100);
    await vi.advanceTimersByTimeAsync(300);
    expect(await result).toMatchObject({ status: 'failed', error: 'the document was deleted' });
    expect(updates.map((u) => u.status)).toEqual(['extracting', 'failed']);
  });
});
