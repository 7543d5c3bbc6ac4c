import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { attachDocument, deleteDocument, describeStatus, detachDocument, listDocuments, renameDocument, uploadErrorMessage } from '../api/documents';
import { isAbortError } from '../api/http';
import type { DocumentInfo } from '../api/types';
import { Panel } from '../ui/Panel';
import { useToasts } from '../ui/Toasts';
import { emitDocumentEvent, useDocumentEvents } from './events';
import { mergeDocument, useDocumentPolling } from './useDocumentPolling';
import './documents.css';

interface LibraryPanelProps {
  open: boolean;
  onClose: () => void;
  /** The chat behind the panel (null: a new chat, not started yet). */
  sessionId: string | null;
}

export function formatBytes(bytes: number | undefined): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function DocumentRow({ doc, sessionId, onChanged, onDeleted }: { doc: DocumentInfo; sessionId: string | null; onChanged: (doc: DocumentInfo) => void; onDeleted: (id: string) => void }) {
  const toasts = useToasts();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(doc.filename);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const attached = Boolean(sessionId && doc.session_ids?.includes(sessionId));

  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (err) {
      toasts.show(`Could not ${what}: ${uploadErrorMessage(err)}`, { tone: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const saveName = (event: FormEvent) => {
    event.preventDefault();
    const next = name.trim();
    if (!next || next === doc.filename) {
      setRenaming(false);
      return;
    }
    void run('rename it', async () => {
      const saved = await renameDocument(doc.id, next);
      const merged = mergeDocument(doc, saved);
      onChanged(merged);
      emitDocumentEvent({ type: 'updated', document: merged });
      setRenaming(false);
    });
  };

  const toggleAttached = () =>
    void run(attached ? 'detach it' : 'attach it', async () => {
      if (!sessionId) {
        // A new chat: the document goes with its first message.
        emitDocumentEvent({ type: 'attached', sessionId: null, document: doc });
        toasts.show(`${doc.filename} will be attached to this chat with your first message.`);
        return;
      }
      if (attached) {
        await detachDocument(sessionId, doc.id);
        onChanged({ ...doc, session_ids: (doc.session_ids ?? []).filter((s) => s !== sessionId) });
        emitDocumentEvent({ type: 'detached', sessionId, documentId: doc.id });
      } else {
        await attachDocument(sessionId, doc.id);
        const next = { ...doc, session_ids: [...(doc.session_ids ?? []), sessionId] };
        onChanged(next);
        emitDocumentEvent({ type: 'attached', sessionId, document: next });
      }
    });

  const remove = () =>
    void run('delete it', async () => {
      await deleteDocument(doc.id);
      onDeleted(doc.id);
      emitDocumentEvent({ type: 'deleted', documentId: doc.id });
      toasts.show(`${doc.filename} was deleted.`);
    });

  return (
    <li className="library-item" data-status={doc.status} data-document-id={doc.id}>
      {renaming ? (
        <form className="library-rename" onSubmit={saveName}>
          <label className="visually-hidden" htmlFor={`rename-${doc.id}`}>
            New name for {doc.filename}
          </label>
          <input id={`rename-${doc.id}`} value={name} onChange={(e) => setName(e.target.value)} maxLength={255} autoFocus />
          <button type="submit" className="button button-small button-primary" disabled={busy || !name.trim()}>
            Save
          </button>
          <button type="button" className="button button-small" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <p className="library-name" title={doc.filename}>
          {doc.filename}
        </p>
      )}
      <p className="library-meta muted">
        <span className="library-status" data-status={doc.status}>
          {describeStatus(doc)}
        </span>
        {doc.size_bytes !== undefined && <span>{formatBytes(doc.size_bytes)}</span>}
        {doc.status === 'ready' && typeof doc.pages_total === 'number' && <span>{doc.pages_total === 1 ? '1 page' : `${doc.pages_total} pages`}</span>}
        {attached && <span>In this chat</span>}
      </p>
      {confirming ? (
        <div className="confirm-row" role="group" aria-label={`Confirm deleting ${doc.filename}`}>
          <span>Delete {doc.filename}? Its file and passages are removed for good.</span>
          <button type="button" className="button button-small button-danger" onClick={remove} disabled={busy}>
            {busy ? 'Deleting…' : 'Yes, delete'}
          </button>
          <button type="button" className="button button-small" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        !renaming && (
          <div className="button-row library-actions">
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                setName(doc.filename);
                setRenaming(true);
              }}
              aria-label={`Rename ${doc.filename}`}
            >
              Rename
            </button>
            {doc.status !== 'failed' && (
              <button type="button" className="button button-small" onClick={toggleAttached} disabled={busy} aria-label={`${attached ? 'Detach' : 'Attach'} ${doc.filename} ${attached ? 'from' : 'to'} this chat`}>
                {attached ? 'Detach from this chat' : 'Attach to this chat'}
              </button>
            )}
            <button type="button" className="button button-small button-danger-outline" onClick={() => setConfirming(true)} aria-label={`Delete ${doc.filename}`}>
              Delete…
            </button>
          </div>
        )
      )}
    </li>
  );
}

/** The user's documents: their state, rename, attach to / detach from the open chat, delete. */
export function LibraryPanel({ open, onClose, sessionId }: LibraryPanelProps) {
  const [docs, setDocs] = useState<DocumentInfo[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    listDocuments({ signal: controller.signal })
      .then((page) => {
        if (controller.signal.aborted) return;
        setDocs(page.items);
        setCursor(page.nextCursor);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted && !isAbortError(err)) setError(`Could not load your documents: ${uploadErrorMessage(err)}`);
      })
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [open]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await listDocuments({ cursor });
      setDocs((current) => [...current, ...page.items.filter((d) => !current.some((c) => c.id === d.id))]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(`Could not load more documents: ${uploadErrorMessage(err)}`);
    } finally {
      setLoading(false);
    }
  };

  const onChanged = useCallback((doc: DocumentInfo) => setDocs((current) => current.map((d) => (d.id === doc.id ? mergeDocument(d, doc) : d))), []);
  const onDeleted = useCallback((id: string) => setDocs((current) => current.filter((d) => d.id !== id)), []);
  useDocumentPolling(open ? docs : [], onChanged);
  // Changes made from the chat (an upload, a chip detached), or by this panel itself (idempotent).
  useDocumentEvents((event) => {
    if (!open) return;
    const withSessions = (id: string, change: (ids: string[]) => string[]) =>
      setDocs((current) => current.map((d) => (d.id === id ? { ...d, session_ids: change(d.session_ids ?? []) } : d)));
    if (event.type === 'uploaded') setDocs((current) => (current.some((d) => d.id === event.document.id) ? current : [event.document, ...current]));
    else if (event.type === 'detached') withSessions(event.documentId, (ids) => ids.filter((s) => s !== event.sessionId));
    else if (event.type === 'attached' && event.sessionId) {
      const sid = event.sessionId;
      withSessions(event.document.id, (ids) => (ids.includes(sid) ? ids : [...ids, sid]));
    }
  });

  return (
    <Panel title="Documents" open={open} onClose={onClose} className="library-panel">
      <p className="muted">
        Files you attached to chats. Attach more with the paperclip in the message box, by dropping them on the chat, or by pasting them.
      </p>
      {error && (
        <p className="chat-error" role="alert">
          {error}
        </p>
      )}
      {!loading && !error && docs.length === 0 && <p className="muted">No documents yet.</p>}
      <ul className="library-list" aria-label="Your documents">
        {docs.map((doc) => (
          <DocumentRow key={doc.id} doc={doc} sessionId={sessionId} onChanged={onChanged} onDeleted={onDeleted} />
        ))}
      </ul>
      {loading && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {cursor && !loading && (
        <button type="button" className="button button-small" onClick={() => void loadMore()}>
          Show more
        </button>
      )}
    </Panel>
  );
}
