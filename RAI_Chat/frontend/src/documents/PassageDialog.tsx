import { useEffect, useState } from 'react';
import { getChunk, uploadErrorMessage } from '../api/documents';
import { isAbortError } from '../api/http';
import type { DocumentChunk, Source } from '../api/types';
import { Panel } from '../ui/Panel';
import './documents.css';

export function pageLabel(page: number | null | undefined): string {
  return typeof page === 'number' ? `p. ${page}` : '';
}

/** The passage an answer cited, read from the server, shown as plain text (never as markup). */
export function PassageDialog({ source, onClose }: { source: Source | null; onClose: () => void }) {
  const [chunk, setChunk] = useState<DocumentChunk | null>(null);
  const [error, setError] = useState<string | null>(null);
  const documentId = source?.document_id;
  const chunkId = source?.chunk_id;

  useEffect(() => {
    setChunk(null);
    setError(null);
    if (!documentId || !chunkId) return;
    const controller = new AbortController();
    getChunk(documentId, chunkId, controller.signal)
      .then((c) => !controller.signal.aborted && setChunk(c))
      .catch((err: unknown) => {
        if (controller.signal.aborted || isAbortError(err)) return;
        const status = (err as { status?: number }).status;
        setError(status === 404 ? 'This passage is no longer available: its document was deleted.' : `Could not load the passage: ${uploadErrorMessage(err)}`);
      });
    return () => controller.abort();
  }, [documentId, chunkId]);

  const filename = chunk?.filename || source?.filename || source?.title || 'Document';
  const page = chunk ? chunk.page : source?.page;
  const heading = chunk ? chunk.heading : source?.heading;
  return (
    <Panel title={`Source: ${filename}`} open={Boolean(source)} onClose={onClose} className="passage-dialog">
      <p className="passage-meta">
        {typeof page === 'number' && <span>Page {page}</span>}
        {heading && <span className="passage-heading">{heading}</span>}
      </p>
      {error ? (
        <p className="passage-error" role="alert">
          {error}
        </p>
      ) : chunk ? (
        <blockquote className="passage-text" data-testid="passage-text">
          {chunk.text}
        </blockquote>
      ) : (
        <p className="muted" role="status">
          Loading the passage…
        </p>
      )}
    </Panel>
  );
}
