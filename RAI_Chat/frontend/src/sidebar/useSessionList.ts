/** The user's chats, newest first, a page at a time, filtered by a search query. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { listSessions } from '../api/sessions';
import type { ChatSession } from '../api/types';

const PAGE_SIZE = 30;

export function useSessionList(query: string) {
  const [sessions, setSessions] = useState<ChatSession[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const generation = useRef(0);
  const loadingRef = useRef(false);

  const loadFirst = useCallback(async () => {
    const gen = ++generation.current;
    loadingRef.current = true;
    setLoading(true);
    try {
      const page = await listSessions({ q: query || undefined, limit: PAGE_SIZE });
      if (gen !== generation.current) return;
      setSessions(page.items);
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(err instanceof Error ? err.message : String(err));
    } finally {
      if (gen === generation.current) {
        loadingRef.current = false;
        setLoading(false);
      }
    }
  }, [query]);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst]);

  const loadMore = useCallback(async () => {
    if (!nextCursor || loadingRef.current) return;
    const gen = generation.current;
    loadingRef.current = true;
    setLoading(true);
    try {
      const page = await listSessions({ q: query || undefined, cursor: nextCursor, limit: PAGE_SIZE });
      if (gen !== generation.current) return;
      setSessions((all) => {
        const known = new Set(all.map((s) => s.id));
        return [...all, ...page.items.filter((s) => !known.has(s.id))];
      });
      setNextCursor(page.nextCursor);
    } catch (err) {
      if (gen === generation.current) setError(err instanceof Error ? err.message : String(err));
    } finally {
      if (gen === generation.current) {
        loadingRef.current = false;
        setLoading(false);
      }
    }
  }, [nextCursor, query]);

  /** Re-reads the newest page (after an answer) and merges it in front of what is loaded. */
  const refreshTop = useCallback(async () => {
    try {
      const page = await listSessions({ q: query || undefined, limit: PAGE_SIZE });
      setSessions((all) => {
        const fresh = new Set(page.items.map((s) => s.id));
        return [...page.items, ...all.filter((s) => !fresh.has(s.id))];
      });
      setNextCursor((cursor) => cursor ?? page.nextCursor);
    } catch {
      /* the list stays as it was */
    }
  }, [query]);

  const upsert = useCallback((session: ChatSession, toTop = false) => {
    setSessions((all) => {
      const index = all.findIndex((s) => s.id === session.id);
      if (index === -1) return [session, ...all];
      const merged = { ...all[index], ...session };
      if (toTop) return [merged, ...all.filter((s) => s.id !== session.id)];
      const next = all.slice();
      next[index] = merged;
      return next;
    });
  }, []);

  /** New facts about a chat that is in the list (a chat deleted meanwhile stays away). */
  const update = useCallback((session: ChatSession) => {
    setSessions((all) => (all.some((s) => s.id === session.id) ? all.map((s) => (s.id === session.id ? { ...s, ...session } : s)) : all));
  }, []);

  const remove = useCallback((id: string) => setSessions((all) => all.filter((s) => s.id !== id)), []);
  const hide = useCallback((id: string) => setHidden((h) => new Set(h).add(id)), []);
  const unhide = useCallback(
    (id: string) =>
      setHidden((h) => {
        const next = new Set(h);
        next.delete(id);
        return next;
      }),
    [],
  );

  return {
    sessions: sessions.filter((s) => !hidden.has(s.id)),
    hasMore: Boolean(nextCursor),
    loading,
    error,
    loadMore,
    reload: loadFirst,
    refreshTop,
    upsert,
    update,
    remove,
    hide,
    unhide,
  };
}

export type SessionListApi = ReturnType<typeof useSessionList>;
