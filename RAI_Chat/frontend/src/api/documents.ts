/** The user's documents (`/api/documents`) and the documents attached to a chat. */
import { ApiError, apiRequest, isAbortError } from './http';
import type { DocumentChunk, DocumentInfo, Page } from './types';

const enc = encodeURIComponent;

/** Said when the API's answer carries no message of its own (e.g. a proxy's HTML page). */
const UPLOAD_FALLBACKS: Record<number, string> = {
  400: 'The file could not be read.',
  413: 'The file is too large.',
  415: 'This type of file is not supported. Attach a PDF, DOCX, HTML, Markdown or text file.',
  507: 'Your document storage is full. Delete documents in the library to make room.',
};

/** A readable reason for a failed upload: the API's own message, else one for its status. */
export function uploadErrorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const generic = /^Request failed \(HTTP \d+\)\.$/.test(err.message) || err.message.startsWith('The server had a problem');
    return generic && UPLOAD_FALLBACKS[err.status] ? UPLOAD_FALLBACKS[err.status] : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function uploadDocument(file: File, opts: { sessionId?: string | null; signal?: AbortSignal } = {}): Promise<DocumentInfo> {
  const form = new FormData();
  form.append('file', file, file.name);
  if (opts.sessionId) form.append('session_id', opts.sessionId);
  const body = await apiRequest<{ document: DocumentInfo }>('/api/documents', { method: 'POST', body: form, signal: opts.signal });
  return body.document;
}

export async function getDocument(id: string, signal?: AbortSignal): Promise<DocumentInfo> {
  const body = await apiRequest<{ document: DocumentInfo }>(`/api/documents/${enc(id)}`, { signal });
  return body.document;
}

export async function listDocuments(opts: { cursor?: string | null; limit?: number; signal?: AbortSignal } = {}): Promise<Page<DocumentInfo>> {
  const body = await apiRequest<{ documents?: DocumentInfo[]; next_cursor?: string | null }>('/api/documents', {
    query: { limit: opts.limit ?? 50, cursor: opts.cursor },
    signal: opts.signal,
  });
  return { items: body.documents ?? [], nextCursor: body.next_cursor ?? null };
}

export async function renameDocument(id: string, filename: string): Promise<DocumentInfo> {
  const body = await apiRequest<{ document: DocumentInfo }>(`/api/documents/${enc(id)}`, { method: 'PATCH', body: { filename } });
  return body.document;
}

export async function deleteDocument(id: string): Promise<void> {
  await apiRequest(`/api/documents/${enc(id)}`, { method: 'DELETE' });
}

export async function getChunk(documentId: string, chunkId: string, signal?: AbortSignal): Promise<DocumentChunk> {
  const body = await apiRequest<{ chunk: DocumentChunk }>(`/api/documents/${enc(documentId)}/chunks/${enc(chunkId)}`, { signal });
  return body.chunk;
}

export async function listSessionDocuments(sessionId: string, signal?: AbortSignal): Promise<DocumentInfo[]> {
  const body = await apiRequest<{ documents?: DocumentInfo[] }>(`/api/session/${enc(sessionId)}/documents`, { signal });
  return body.documents ?? [];
}

export async function attachDocument(sessionId: string, documentId: string): Promise<DocumentInfo[]> {
  const body = await apiRequest<{ documents?: DocumentInfo[] }>(`/api/session/${enc(sessionId)}/documents`, {
    method: 'POST',
    body: { document_id: documentId },
  });
  return body.documents ?? [];
}

export async function detachDocument(sessionId: string, documentId: string): Promise<void> {
  await apiRequest(`/api/session/${enc(sessionId)}/documents/${enc(documentId)}`, { method: 'DELETE' });
}

export const isSettled = (doc: Pick<DocumentInfo, 'status'>) => doc.status === 'ready' || doc.status === 'failed';

/** The document's state in words: queued → extracting n/N pages → ready / failed: why. */
export function describeStatus(doc: Pick<DocumentInfo, 'status' | 'pages_done' | 'pages_total' | 'error'>): string {
  switch (doc.status) {
    case 'queued':
      return 'Queued';
    case 'extracting':
      return doc.pages_total ? `Extracting ${Math.min(doc.pages_done ?? 0, doc.pages_total)}/${doc.pages_total} pages` : 'Extracting';
    case 'ready':
      return 'Ready';
    case 'failed':
      return `Failed: ${doc.error || 'the file could not be read'}`;
    default:
      return String(doc.status);
  }
}

/** Delay before poll n (0-based): quick at first, then slower, at most `max`. */
export function pollDelay(attempt: number, first = 500, max = 5000): number {
  return Math.min(Math.round(first * 1.5 ** attempt), max);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Asks for the document until it is ready or failed, backing off between asks; reports each
 * answer. Network trouble and server errors are tried again (with the same back-off); a 404
 * (deleted meanwhile) ends it as failed. Stops silently when `signal` aborts.
 */
export async function pollDocument(
  id: string,
  onUpdate: (doc: DocumentInfo) => void,
  signal: AbortSignal,
  delay: (attempt: number) => number = pollDelay,
): Promise<DocumentInfo | null> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    await sleep(delay(attempt), signal);
    if (signal.aborted) break;
    try {
      const doc = await getDocument(id, signal);
      if (signal.aborted) break;
      onUpdate(doc);
      if (isSettled(doc)) return doc;
    } catch (err) {
      if (signal.aborted || isAbortError(err)) break;
      if (err instanceof ApiError && (err.status === 404 || err.status === 401 || err.status === 403)) {
        const gone: DocumentInfo = { id, filename: '', status: 'failed', pages_total: null, pages_done: 0, error: err.status === 404 ? 'the document was deleted' : err.message };
        onUpdate(gone);
        return gone;
      }
    }
  }
  return null;
}
