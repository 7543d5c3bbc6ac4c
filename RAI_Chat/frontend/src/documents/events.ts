/** Tells the chat's chips and the library about a change made by the other one. */
import { useEffect, useRef } from 'react';
import type { DocumentInfo } from '../api/types';

export type DocumentEvent =
  | { type: 'uploaded' | 'updated'; document: DocumentInfo }
  | { type: 'deleted'; documentId: string }
  /** `sessionId` null: the new chat that has no session yet. */
  | { type: 'attached'; sessionId: string | null; document: DocumentInfo }
  | { type: 'detached'; sessionId: string; documentId: string };

const listeners = new Set<(event: DocumentEvent) => void>();

export function emitDocumentEvent(event: DocumentEvent): void {
  for (const listener of [...listeners]) listener(event);
}

export function useDocumentEvents(listener: (event: DocumentEvent) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    const call = (event: DocumentEvent) => ref.current(event);
    listeners.add(call);
    return () => {
      listeners.delete(call);
    };
  }, []);
}
