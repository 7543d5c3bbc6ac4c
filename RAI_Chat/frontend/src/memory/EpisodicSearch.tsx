import { useState, type FormEvent } from 'react';
import { deleteEpisodic, searchEpisodic } from '../api/memory';
import type { EpisodicResult } from '../api/types';
import { Icon } from '../ui/Icon';

/** Search what RAI archived from older conversations; forget single entries. */
export function EpisodicSearch({ onOpenSession }: { onOpenSession?: (sessionId: string) => void }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<EpisodicResult[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (!q) return;
    setSearching(true);
    setError(null);
    try {
      setResults(await searchEpisodic(q, 10));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSearching(false);
    }
  };

  const forget = async (id: string) => {
    try {
      await deleteEpisodic(id);
      setResults((all) => (all ?? []).filter((r) => r.id !== id));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="memory-section" aria-labelledby="episodic-heading">
      <h3 id="episodic-heading">Search past conversations</h3>
      <form className="inline-form" onSubmit={search} role="search">
        <label htmlFor="episodic-query" className="visually-hidden">
          Search archived memory
        </label>
        <input id="episodic-query" type="search" placeholder="What did we talk about…" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="button" disabled={searching || !query.trim()}>
          {searching ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {results && results.length === 0 && <p className="muted">Nothing found.</p>}
      {results && results.length > 0 && (
        <ol className="episodic-list" aria-label="Search results, best match first">
          {results.map((r, i) => (
            <li key={r.id} className="episodic-item">
              <p className="episodic-text">{r.text}</p>
              <p className="fact-meta">
                {/* Best match first: its rank, not the raw score (meaningless to a reader). */}
                <span>#{i + 1}</span>
                {r.created_at && <> · {new Date(r.created_at).toLocaleString()}</>}
                {r.session_id && onOpenSession && (
                  <>
                    {' · '}
                    <button type="button" className="link-button" onClick={() => onOpenSession(r.session_id as string)}>
                      open the chat
                    </button>
                  </>
                )}
              </p>
              <button type="button" className="icon-button danger episodic-forget" onClick={() => void forget(r.id)} aria-label="Forget this memory">
                <Icon name="trash" size={16} />
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
