/**
 * The documents attached to the open chat: uploads (to the chat's session, or, in a new chat,
 * kept until the first message sends their ids with it), their progress until ready or
 * failed, and detaching.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { detachDocument, listSessionDocuments, uploadDocument, uploadErrorMessage } from '../api/documents';
import { ApiError, isAbortError } from '../api/http';
import type { DocumentInfo } from '../api/types';
import { emitDocumentEvent, useDocumentEvents } from './events';
import { mergeDocument, useDocumentPolling } from './useDocumentPolling';

export interface Attachment {
  /** Stable while the file uploads and after (the server's id arrives later). */
  key: string;
  /** uploading: on its way; server: the server has it (see doc.status); rejected: the upload was refused. */
  phase: 'uploading' | 'server' | 'rejected';
  doc: DocumentInfo;
}

let counter = 0;
const localKey = () => `local-doc-${Date.now().toString(36)}-${++counter}`;

function fromServer(doc: DocumentInfo): Attachment {
  return { key: doc.id, phase: 'server', doc };
}

export function useAttachments(sessionId: string | null) {
  const [items, setItems] = useState<Attachment[]>([]);
  const [error, setError] = useState<string | null>(null);
  const sessionRef = useRef(sessionId);
  const previousSession = useRef<string | null | undefined>(undefined);
  /** The session our own first message created: its chips stay when the chat gets its id. */
  const adopted = useRef<string | null>(null);
  const uploads = useRef(new Map<string, AbortController>());

  const upsertDocs = useCallback((docs: DocumentInfo[]) => {
    setItems((current) => {
      const next = current.map((item) => {
        const fresh = item.phase === 'server' ? docs.find((d) => d.id === item.doc.id) : undefined;
        return fresh ? { ...item, doc: mergeDocument(item.doc, fresh) } : item;
      });
      for (const doc of docs) if (!next.some((i) => i.phase === 'server' && i.doc.id === doc.id)) next.push(fromServer(doc));
      return next;
    });
  }, []);

  // Another chat: show its documents (the new chat's own, just created, keeps what it shows).
  useEffect(() => {
    const previous = previousSession.current;
    previousSession.current = sessionId;
    sessionRef.current = sessionId;
    setError(null);
    const keep = previous === null && sessionId !== null && adopted.current === sessionId;
    adopted.current = null;
    // Uploads on their way finish (into the chat they were sent to; the library shows them).
    if (!keep) setItems([]);
    // The chat our message just created holds what its chips show: nothing to load.
    if (!sessionId || keep) return;
    const controller = new AbortController();
    listSessionDocuments(sessionId, controller.signal)
      .then((docs) => {
        if (!controller.signal.aborted) setItems(docs.map(fromServer));
      })
      .catch((err: unknown) => {
        // A chat that is not found: the chat view says so.
        if (controller.signal.aborted || isAbortError(err) || (err instanceof ApiError && err.status === 404)) return;
        setError(`Could not load this chat's documents: ${uploadErrorMessage(err)}`);
      });
    return () => controller.abort();
  }, [sessionId, upsertDocs]);

  useEffect(() => {
    const all = uploads.current;
    return () => {
      for (const controller of all.values()) controller.abort();
      all.clear();
    };
  }, []);

  const serverDocs = useMemo(() => items.filter((i) => i.phase === 'server').map((i) => i.doc), [items]);
  const onPolled = useCallback((doc: DocumentInfo) => upsertDocs([doc]), [upsertDocs]);
  useDocumentPolling(serverDocs, onPolled);

  useDocumentEvents((event) => {
    switch (event.type) {
      case 'updated':
        setItems((current) => current.map((i) => (i.phase === 'server' && i.doc.id === event.document.id ? { ...i, doc: mergeDocument(i.doc, event.document) } : i)));
        break;
      case 'deleted':
        setItems((current) => current.filter((i) => !(i.phase === 'server' && i.doc.id === event.documentId)));
        break;
      case 'attached':
        if (event.sessionId === sessionRef.current) upsertDocs([event.document]);
        break;
      case 'detached':
        if (event.sessionId === sessionRef.current) setItems((current) => current.filter((i) => !(i.phase === 'server' && i.doc.id === event.documentId)));
        break;
    }
  });

  const addFiles = useCallback((files: File[]) => {
    const sid = sessionRef.current;
    for (const file of files) {
      const key = localKey();
      const placeholder: DocumentInfo = { id: key, filename: file.name, size_bytes: file.size, status: 'queued', pages_total: null, pages_done: 0, error: null };
      setItems((current) => [...current, { key, phase: 'uploading', doc: placeholder }]);
      const controller = new AbortController();
      uploads.current.set(key, controller);
      uploadDocument(file, { sessionId: sid, signal: controller.signal })
        .then((doc) => {
          if (controller.signal.aborted) return;
          setItems((current) => current.map((i) => (i.key === key ? { key, phase: 'server', doc: mergeDocument(placeholder, doc) } : i)));
          emitDocumentEvent({ type: 'uploaded', document: doc });
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted || isAbortError(err)) return;
          const reason = uploadErrorMessage(err);
          setItems((current) => current.map((i) => (i.key === key ? { key, phase: 'rejected', doc: { ...placeholder, status: 'failed', error: reason } } : i)));
        })
        .finally(() => {
          if (uploads.current.get(key) === controller) uploads.current.delete(key);
        });
    }
  }, []);

  /** Takes the chip away: stops an upload, detaches a document from the chat (it stays in the library). */
  const remove = useCallback(async (item: Attachment) => {
    setError(null);
    const sid = sessionRef.current;
    if (item.phase === 'server' && sid) {
      try {
        await detachDocument(sid, item.doc.id);
        emitDocumentEvent({ type: 'detached', sessionId: sid, documentId: item.doc.id });
      } catch (err) {
        setError(`Could not detach ${item.doc.filename}: ${uploadErrorMessage(err)}`);
        return;
      }
    }
    uploads.current.get(item.key)?.abort();
    uploads.current.delete(item.key);
    setItems((current) => current.filter((i) => i.key !== item.key));
  }, []);

  const itemsRef = useRef(items);
  itemsRef.current = items;
  /** For the first message of a new chat: the documents to attach to the session it creates. */
  const newChatDocumentIds = useCallback(() => itemsRef.current.filter((i) => i.phase === 'server' && i.doc.status !== 'failed').map((i) => i.doc.id), []);
  /** The new chat got its session (from our own first message): keep its chips. */
  const adopt = useCallback((id: string) => {
    adopted.current = id;
  }, []);

  return {
    items,
    error,
    uploading: items.some((i) => i.phase === 'uploading'),
    addFiles,
    remove,
    newChatDocumentIds,
    adopt,
  };
}

export type Attachments = ReturnType<typeof useAttachments>;
