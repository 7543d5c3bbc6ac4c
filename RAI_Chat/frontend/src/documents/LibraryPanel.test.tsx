import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DocumentInfo } from '../api/types';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { ToastProvider } from '../ui/Toasts';
import { LibraryPanel } from './LibraryPanel';

afterEach(() => vi.unstubAllGlobals());

const doc = (patch: Partial<DocumentInfo>): DocumentInfo => ({ id: 'd1', filename: 'a.pdf', status: 'ready', pages_total: 2, pages_done: 2, error: null, size_bytes: 2048, session_ids: [], ...patch });

function renderLibrary(sessionId: string | null = 's1') {
  render(
    <ToastProvider>
      <LibraryPanel open onClose={() => undefined} sessionId={sessionId} />
    </ToastProvider>,
  );
}

const row = (name: string) => screen.getByText(name, { selector: '.library-name' }).closest('li') as HTMLElement;

describe('<LibraryPanel>', () => {
  it('lists documents with their state; renames, detaches, attaches and deletes (after confirming)', async () => {
    const user = userEvent.setup();
    const calls: string[] = [];
    installFetch({
      'GET /api/documents': () =>
        jsonResponse({
          status: 'success',
          documents: [doc({ id: 'd1', filename: 'a.pdf', session_ids: ['s1'] }), doc({ id: 'd2', filename: 'broken.docx', status: 'failed', error: 'the file is corrupt' }), doc({ id: 'd3', filename: 'c.md' })],
          next_cursor: null,
        }),
      'PATCH /api/documents/d1': (_u, init) => {
        calls.push(`PATCH ${init.body}`);
        return jsonResponse({ status: 'success', document: doc({ id: 'd1', filename: JSON.parse(String(init.body)).filename, session_ids: ['s1'] }) });
      },
      'DELETE /api/session/s1/documents/d1': () => {
        calls.push('detach d1');
        return jsonResponse({ status: 'success' });
      },
      'POST /api/session/s1/documents': (_u, init) => {
        calls.push(`attach ${init.body}`);
        return jsonResponse({ status: 'success', documents: [doc({ id: 'd3', filename: 'c.md', session_ids: ['s1'] })] });
      },
      'DELETE /api/documents/d2': () => {
        calls.push('delete d2');
        return jsonResponse({ status: 'success' });
      },
    });
    renderLibrary();
    await screen.findByText('a.pdf');
    expect(row('a.pdf')).toHaveTextContent('Ready');
    expect(row('a.pdf')).toHaveTextContent('In this chat');
    expect(row('a.pdf')).toHaveTextContent('2.0 KB');
    expect(row('broken.docx')).toHaveTextContent('Failed: the file is corrupt');

    await user.click(screen.getByRole('button', { name: 'Rename a.pdf' }));
    const input = screen.getByLabelText('New name for a.pdf');
    await user.clear(input);
    await user.type(input, 'Handbook.pdf{Enter}');
    await screen.findByText('Handbook.pdf');
    expect(calls).toContain('PATCH {"filename":"Handbook.pdf"}');

    await user.click(screen.getByRole('button', { name: 'Detach Handbook.pdf from this chat' }));
    await waitFor(() => expect(row('Handbook.pdf')).not.toHaveTextContent('In this chat'));
    await user.click(screen.getByRole('button', { name: 'Attach c.md to this chat' }));
    await waitFor(() => expect(row('c.md')).toHaveTextContent('In this chat'));
    expect(calls).toEqual(['PATCH {"filename":"Handbook.pdf"}', 'detach d1', 'attach {"document_id":"d3"}']);

    await user.click(screen.getByRole('button', { name: 'Delete broken.docx' }));
    const confirm = screen.getByRole('group', { name: 'Confirm deleting broken.docx' });
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(calls).not.toContain('delete d2');
    await user.click(screen.getByRole('button', { name: 'Delete broken.docx' }));
    await user.click(within(screen.getByRole('group', { name: 'Confirm deleting broken.docx' })).getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(screen.queryByText('broken.docx', { selector: '.library-name' })).toBeNull());
    expect(calls).toContain('delete d2');
  });

  it('shows an error the API sends, and "Show more" loads the next page', async () => {
    const user = userEvent.setup();
    installFetch({
      'GET /api/documents': [
        (url) => {
          expect(url.searchParams.get('cursor')).toBeNull();
          return jsonResponse({ status: 'success', documents: [doc({ id: 'd1', filename: 'first.md' })], next_cursor: 'k1' });
        },
        (url) => {
          expect(url.searchParams.get('cursor')).toBe('k1');
          return jsonResponse({ status: 'success', documents: [doc({ id: 'd2', filename: 'second.md' })], next_cursor: null });
        },
      ],
      'PATCH /api/documents/d1': () => jsonResponse({ status: 'error', error: 'filename must not be empty or contain a slash' }, 400),
    });
    renderLibrary(null);
    await screen.findByText('first.md');
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    await screen.findByText('second.md');
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Rename first.md' }));
    const input = screen.getByLabelText('New name for first.md');
    await user.clear(input);
    await user.type(input, 'a/b{Enter}');
    expect(await screen.findByText(/Could not rename it: filename must not be empty or contain a slash/)).toBeInTheDocument();
  });
});
