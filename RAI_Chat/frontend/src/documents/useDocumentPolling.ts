import { useEffect, useRef } from 'react';
import { isSettled, pollDocument } from '../api/documents';
import type { DocumentInfo } from '../api/types';

/** The server's newer view of a document, keeping what the older one knew and the newer does not say. */
export function mergeDocument(old: DocumentInfo, next: DocumentInfo): DocumentInfo {
  return { ...old, ...next, filename: next.filename || old.filename };
}

/**
 * Polls every listed document that is still queued or extracting (with back-off) until it is
 * ready or failed; stops polling one that leaves the list, and all of them on unmount.
 */
export function useDocumentPolling(documents: DocumentInfo[], onUpdate: (doc: DocumentInfo) => void): void {
  const pollers = useRef(new Map<string, AbortController>());
  const onUpdateRef = useRef(onUpdate);
  onUpdateRef.current = onUpdate;

  useEffect(() => {
    const wanted = new Set(documents.filter((d) => !isSettled(d)).map((d) => d.id));
    for (const [id, controller] of pollers.current) {
      if (!wanted.has(id)) {
        controller.abort();
        pollers.current.delete(id);
      }
    }
    for (const id of wanted) {
      if (pollers.current.has(id)) continue;
      const controller = new AbortController();
      pollers.current.set(id, controller);
      void pollDocument(id, (doc) => onUpdateRef.current({ ...doc, id }), controller.signal).finally(() => {
        if (pollers.current.get(id) === controller) pollers.current.delete(id);
      });
    }
  }, [documents]);

  useEffect(() => {
    const all = pollers.current;
    return () => {
      for (const controller of all.values()) controller.abort();
      all.clear();
    };
  }, []);
}
