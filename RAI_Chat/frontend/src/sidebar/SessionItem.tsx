import { memo, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ChatSession } from '../api/types';
import { isPlainClick, routePath } from '../router';
import { Icon } from '../ui/Icon';

interface SessionItemProps {
  session: ChatSession;
  active: boolean;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (session: ChatSession) => void;
}

export function sessionTitle(session: Pick<ChatSession, 'title'>): string {
  return session.title?.trim() || 'New chat';
}

function shortDate(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return date.toLocaleDateString([], { month: 'short', day: 'numeric', year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric' });
}

/** One chat in the sidebar: open it, rename it in place, delete it. */
export const SessionItem = memo(function SessionItem({ session, active, onSelect, onRename, onDelete }: SessionItemProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const title = sessionTitle(session);

  useEffect(() => {
    if (editing) inputRef.current?.select();
  }, [editing]);

  const startEditing = () => {
    // A title cut from a long first message ends in "…": the box starts without it.
    setDraft((session.title ?? '').replace(/\s*…$/, ''));
    setError(null);
    setEditing(true);
  };

  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    const next = draft.trim();
    if (!next || next === session.title) {
      setEditing(false);
      return;
    }
    setSaving(true);
    try {
      await onRename(session.id, next);
      setEditing(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      setEditing(false);
    }
  };

  if (editing) {
    return (
      <li className="session-item session-item-editing">
        <form onSubmit={save} className="rename-form">
          <label className="visually-hidden" htmlFor={`rename-${session.id}`}>
            New name for “{title}”
          </label>
          <input
            id={`rename-${session.id}`}
            ref={inputRef}
            value={draft}
            maxLength={200}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            disabled={saving}
            aria-invalid={Boolean(error)}
          />
          <button type="submit" className="icon-button" aria-label="Save name" disabled={saving}>
            <Icon name="check" size={16} />
          </button>
          <button type="button" className="icon-button" aria-label="Cancel renaming" onClick={() => setEditing(false)}>
            <Icon name="close" size={16} />
          </button>
        </form>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </li>
    );
  }

  return (
    <li className={`session-item ${active ? 'session-item-active' : ''}`} data-session-id={session.id}>
      <a
        className="session-open"
        href={routePath({ chatId: session.id, panel: null })}
        onClick={(event) => {
          if (!isPlainClick(event)) return; // a new tab or window: the browser opens the link
          event.preventDefault();
          onSelect(session.id);
        }}
        aria-current={active ? 'page' : undefined}
        title={title}
      >
        <span className="session-title">{title}</span>
        <span className="session-date">{shortDate(session.updated_at ?? session.created_at)}</span>
      </a>
      <div className="session-actions">
        <button type="button" className="icon-button" onClick={startEditing} aria-label={`Rename “${title}”`}>
          <Icon name="edit" size={16} />
        </button>
        <button type="button" className="icon-button danger" onClick={() => onDelete(session)} aria-label={`Delete “${title}”`}>
          <Icon name="trash" size={16} />
        </button>
      </div>
    </li>
  );
});
