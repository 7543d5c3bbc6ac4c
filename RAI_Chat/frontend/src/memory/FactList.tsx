import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { addFact, deleteFact, listFacts, undoFact, updateFact } from '../api/memory';
import type { Fact } from '../api/types';
import { useToasts } from '../ui/Toasts';
import { FactItem } from './FactItem';

/** The facts RAI remembers about the user, and a form to add one. */
export function FactList({
  onOpenSession,
  onOpenMessage,
  reloadKey,
}: {
  onOpenSession?: (sessionId: string) => void;
  onOpenMessage?: (sessionId: string, messageId: string) => void;
  reloadKey: number;
}) {
  const [facts, setFacts] = useState<Fact[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setFacts(await listFacts());
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setAdding(true);
    setAddError(null);
    try {
      const fact = await addFact(text);
      setFacts((all) => [fact, ...(all ?? []).filter((f) => f.id !== fact.id)]);
      setDraft('');
    } catch (err) {
      setAddError(err instanceof Error ? err.message : String(err));
    } finally {
      setAdding(false);
    }
  };

  const save = useCallback(async (id: string, text: string) => {
    const fact = await updateFact(id, text);
    setFacts((all) => (all ?? []).map((f) => (f.id === id ? { ...f, ...fact, id } : f)));
  }, []);

  // Delete like a chat: hidden at once with Undo; the DELETE goes when the toast expires
  // (or when the page is closed).
  const toasts = useToasts();
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const pending = useRef(new Set<string>());
  const setHiddenOne = (id: string, hide: boolean) =>
    setHidden((all) => {
      const next = new Set(all);
      if (hide) next.add(id);
      else next.delete(id);
      return next;
    });
  useEffect(() => {
    const flush = () => {
      for (const id of pending.current) void deleteFact(id, { keepalive: true }).catch(() => undefined);
      pending.current.clear();
    };
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, []);
  const remove = useCallback(
    async (fact: Fact) => {
      setHiddenOne(fact.id, true);
      pending.current.add(fact.id);
      toasts.show(`Forgot “${fact.fact}”`, {
        action: { label: 'Undo', onAction: () => pending.current.delete(fact.id) && setHiddenOne(fact.id, false) },
        onExpire: () => {
          if (!pending.current.delete(fact.id)) return;
          deleteFact(fact.id)
            .then(() => setFacts((all) => (all ?? []).filter((f) => f.id !== fact.id)))
            .catch((err: unknown) => {
              setHiddenOne(fact.id, false);
              toasts.show(`Could not delete the fact: ${err instanceof Error ? err.message : String(err)}`, { tone: 'error' });
            });
        },
      });
    },
    [toasts],
  );
  // Undo a capture in one click: the fact goes; the one it had superseded comes back.
  const undo = useCallback(
    async (fact: Fact) => {
      const { restored } = await undoFact(fact.id);
      setFacts((all) => [...restored, ...(all ?? []).filter((f) => f.id !== fact.id && !restored.some((r) => r.id === f.id))]);
      const back = restored.length ? ` “${restored.map((r) => r.fact).join('”, “')}” is back.` : '';
      toasts.show(`Undid “${fact.fact}”.${back}`);
    },
    [toasts],
  );
  const shown = facts?.filter((f) => !hidden.has(f.id)) ?? null;

  return (
    <section className="memory-section" aria-labelledby="facts-heading">
      <h3 id="facts-heading">Remembered facts</h3>
      <form className="inline-form" onSubmit={add}>
        <label htmlFor="new-fact" className="visually-hidden">
          A fact to remember
        </label>
        <input id="new-fact" placeholder="Add a fact, e.g. “I prefer metric units”" value={draft} onChange={(e) => setDraft(e.target.value)} disabled={adding} aria-invalid={Boolean(addError)} />
        <button type="submit" className="button button-primary" disabled={adding || !draft.trim()}>
          Add
        </button>
      </form>
      {addError && (
        <p className="field-error" role="alert">
          {addError}
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {shown === null && !error && <p className="muted">Loading…</p>}
      {shown && shown.length === 0 && <p className="muted">Nothing remembered yet. Facts appear here when you tell RAI about yourself, or add them above.</p>}
      {shown && shown.length > 0 && (
        <ul className="fact-list" aria-label="Remembered facts">
          {shown.map((fact) => (
            <FactItem key={fact.id} fact={fact} onSave={save} onDelete={remove} onUndo={undo} onOpenSession={onOpenSession} onOpenMessage={onOpenMessage} />
          ))}
        </ul>
      )}
    </section>
  );
}
