import { useState, type FormEvent } from 'react';
import type { Fact } from '../api/types';
import { isPlainClick } from '../router';
import { Icon } from '../ui/Icon';
import { messageHref } from './openMessage';

interface FactItemProps {
  fact: Fact;
  onSave: (id: string, text: string) => Promise<void>;
  onDelete: (fact: Fact) => Promise<void>;
  onOpenSession?: (sessionId: string) => void;
  /** Open the chat at the message the fact came from. */
  onOpenMessage?: (sessionId: string, messageId: string) => void;
  /** Undo a captured fact (a fact it superseded comes back). */
  onUndo?: (fact: Fact) => Promise<void>;
}

function origin(fact: Fact): string {
  if (fact.source_message_id || fact.source_session_id) return 'Learned in a chat';
  return 'Added by you';
}

/** One remembered fact: where it came from, edit in place, delete. */
export function FactItem({ fact, onSave, onDelete, onOpenSession, onOpenMessage, onUndo }: FactItemProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(fact.fact);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || text === fact.fact) {
      setEditing(false);
      return;
    }
    if (await run(() => onSave(fact.id, text))) setEditing(false);
  };

  return (
    <li className="fact" data-fact-id={fact.id}>
      {editing ? (
        <form className="fact-edit" onSubmit={save}>
          <label className="visually-hidden" htmlFor={`fact-${fact.id}`}>
            Edit the fact
          </label>
          <input id={`fact-${fact.id}`} value={draft} onChange={(e) => setDraft(e.target.value)} disabled={busy} autoFocus onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setEditing(false))} />
          <button type="submit" className="button button-small button-primary" disabled={busy}>
            Save
          </button>
          <button type="button" className="button button-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <p className="fact-text">{fact.fact}</p>
          <p className="fact-meta">
            {origin(fact)}
            {fact.source_session_id && fact.source_message_id && onOpenMessage && (
              <>
                {' · '}
                <a
                  href={messageHref(fact.source_session_id, fact.source_message_id)}
                  className="link-button"
                  onClick={(event) => {
                    if (!isPlainClick(event)) return;
                    event.preventDefault();
                    onOpenMessage(fact.source_session_id as string, fact.source_message_id as string);
                  }}
                >
                  the message it came from
                </a>
              </>
            )}
            {fact.source_session_id && !(fact.source_message_id && onOpenMessage) && onOpenSession && (
              <>
                {' · '}
                <button type="button" className="link-button" onClick={() => onOpenSession(fact.source_session_id as string)}>
                  open the chat
                </button>
              </>
            )}
            {fact.created_at && <> · {new Date(fact.created_at).toLocaleDateString()}</>}
            {fact.status && fact.status !== 'active' && <> · {fact.status}</>}
          </p>
          <div className="fact-actions">
            {onUndo && fact.source_message_id && (fact.status ?? 'active') === 'active' && (
              <button type="button" className="button button-small" onClick={() => void run(() => onUndo(fact))} disabled={busy} aria-label={`Undo capture: ${fact.fact}`}>
                Undo
              </button>
            )}
            <button type="button" className="icon-button" onClick={() => { setDraft(fact.fact); setEditing(true); }} aria-label={`Edit fact: ${fact.fact}`}>
              <Icon name="edit" size={16} />
            </button>
            <button type="button" className="icon-button danger" onClick={() => void run(() => onDelete(fact))} disabled={busy} aria-label={`Delete fact: ${fact.fact}`}>
              <Icon name="trash" size={16} />
            </button>
          </div>
        </>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
