import { useCallback, useState } from 'react';
import type { Source } from '../api/types';
import { Icon } from '../ui/Icon';
import { PassageDialog, pageLabel } from './PassageDialog';
import './documents.css';

export const isDocumentSource = (s: Source | null | undefined): s is Source & { document_id: string; chunk_id: string } =>
  Boolean(s && s.kind === 'document' && typeof s.document_id === 'string' && typeof s.chunk_id === 'string');

/** The document passages an answer cited: chips (file name and page) that open the passage. */
export function DocumentSources({ sources }: { sources: Source[] }) {
  const [open, setOpen] = useState<Source | null>(null);
  const close = useCallback(() => setOpen(null), []);
  const items = sources.filter(isDocumentSource);
  if (items.length === 0) return null;
  return (
    <>
      <ul className="doc-sources" aria-label="Document sources">
        {items.map((source, i) => {
          const name = source.filename || source.title || 'Document';
          const page = pageLabel(source.page);
          return (
            <li key={`${source.chunk_id}-${i}`}>
              <button type="button" className="doc-source-chip" onClick={() => setOpen(source)} title={source.heading ? `${name}: ${source.heading}` : name} aria-haspopup="dialog">
                <Icon name="file" size={14} />
                {typeof source.n === 'number' && <span className="doc-source-n">[{source.n}]</span>}{' '}
                <span className="doc-source-name">{name}</span>
                {page && ' '}
                {page && <span className="doc-source-page">{page}</span>}
              </button>
            </li>
          );
        })}
      </ul>
      <PassageDialog source={open} onClose={close} />
    </>
  );
}
