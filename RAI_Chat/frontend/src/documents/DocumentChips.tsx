import { describeStatus } from '../api/documents';
import { Icon } from '../ui/Icon';
import type { Attachment } from './useAttachments';
import './documents.css';

function statusText(item: Attachment): string {
  if (item.phase === 'uploading') return 'Uploading…';
  if (item.phase === 'rejected') return `Failed: ${item.doc.error ?? 'the upload was refused'}`;
  return describeStatus(item.doc);
}

function state(item: Attachment): string {
  if (item.phase === 'uploading') return 'uploading';
  if (item.phase === 'rejected') return 'failed';
  return item.doc.status;
}

/** The documents attached to the chat, above the message box, with their progress. */
export function DocumentChips({ items, onRemove, inSession, error }: { items: Attachment[]; onRemove: (item: Attachment) => void; inSession: boolean; error?: string | null }) {
  if (items.length === 0 && !error) return null;
  return (
    <div className="doc-chips-wrap">
      {items.length > 0 && (
        <ul className="doc-chips" aria-label="Attached documents">
          {items.map((item) => {
            const s = state(item);
            const text = statusText(item);
            const { pages_total: total, pages_done: done } = item.doc;
            return (
              <li key={item.key} className="doc-chip" data-status={s} data-document-id={item.phase === 'server' ? item.doc.id : undefined}>
                <Icon name="file" size={16} />
                <span className="doc-chip-name" title={item.doc.filename}>
                  {item.doc.filename}
                </span>
                <span className="doc-chip-status" role={s === 'failed' ? 'alert' : 'status'}>
                  {text}
                </span>
                {s === 'extracting' && total ? <progress className="doc-chip-progress" max={total} value={Math.min(done, total)} aria-label={`${item.doc.filename}: ${text}`} /> : null}
                <button
                  type="button"
                  className="icon-button doc-chip-remove"
                  onClick={() => onRemove(item)}
                  aria-label={item.phase === 'server' && inSession ? `Detach ${item.doc.filename} from this chat` : `Remove ${item.doc.filename}`}
                >
                  <Icon name="close" size={14} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {error && (
        <p className="doc-chips-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
