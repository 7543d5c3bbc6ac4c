import { useCallback, useEffect, useRef, useState } from 'react';
import { deleteSession, renameSession } from '../api/sessions';
import type { ChatSession, User } from '../api/types';
import { Icon } from '../ui/Icon';
import { useToasts } from '../ui/Toasts';
import { SessionItem, sessionTitle } from './SessionItem';
import type { SessionListApi } from './useSessionList';

interface SidebarProps {
  list: SessionListApi;
  query: string;
  onQueryChange: (q: string) => void;
  activeId: string | null;
  onSelect: (id: string) => void;
  onNewChat: () => void;
  user: User;
  onOpenMemory: () => void;
  onOpenSettings: () => void;
  onOpenDocuments?: () => void;
  onLogout: () => void;
  /** On a narrow screen the sidebar is a drawer. */
  open: boolean;
  onClose: () => void;
}

/** Chats (newest first, endless scroll, search, rename, delete with undo) and the account menu. */
export function Sidebar(props: SidebarProps) {
  const { list, activeId, onSelect, onNewChat, open, onClose } = props;
  const toasts = useToasts();
  const [search, setSearch] = useState(props.query);
  const sentinelRef = useRef<HTMLLIElement>(null);
  const pendingDeletes = useRef(new Set<string>());

  // Search as the user types, without a request per key.
  const onQueryChange = useRef(props.onQueryChange);
  onQueryChange.current = props.onQueryChange;
  useEffect(() => {
    const timer = setTimeout(() => onQueryChange.current(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);

  // Endless scroll: load the next page when the end of the list comes into view.
  const { hasMore, loadMore } = list;
  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    }, { rootMargin: '200px' });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, loadMore, list.sessions.length]);

  // Deletions still waiting for their undo delay are sent when the page goes away.
  useEffect(() => {
    const flush = () => {
      for (const id of pendingDeletes.current) void deleteSession(id, { keepalive: true }).catch(() => undefined);
      pendingDeletes.current.clear();
    };
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, []);

  // Stable callbacks, so that memoised rows do not re-render on every list change.
  const { upsert, hide, unhide, remove: drop } = list;
  const rename = useCallback(
    async (id: string, title: string) => {
      const session = await renameSession(id, title);
      upsert(session ?? { id, title });
    },
    [upsert],
  );

  const remove = useCallback(
    (session: ChatSession) => {
      const { id } = session;
      hide(id);
      pendingDeletes.current.add(id);
      if (id === activeId) onNewChat();
      toasts.show(`Deleted “${sessionTitle(session)}”`, {
        action: {
          label: 'Undo',
          onAction: () => {
            pendingDeletes.current.delete(id);
            unhide(id);
          },
        },
        onExpire: () => {
          if (!pendingDeletes.current.delete(id)) return;
          deleteSession(id)
            .then(() => {
              drop(id);
              unhide(id);
            })
            .catch((err: unknown) => {
              unhide(id);
              toasts.show(`Could not delete the chat: ${err instanceof Error ? err.message : String(err)}`, { tone: 'error' });
            });
        },
      });
    },
    [activeId, hide, unhide, drop, onNewChat, toasts],
  );

  return (
    <>
      {open && <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />}
      <aside className={`sidebar ${open ? 'sidebar-open' : ''}`} aria-label="Chats">
        <div className="sidebar-top">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">R</span>
            <span className="brand-name">RAI Chat</span>
            <button type="button" className="icon-button drawer-close" onClick={onClose} aria-label="Close the chat list">
              <Icon name="close" />
            </button>
          </div>
          <button type="button" className="button button-primary new-chat" onClick={onNewChat}>
            <Icon name="plus" size={16} /> New chat
          </button>
          <div className="search-field">
            <Icon name="search" size={16} />
            <label htmlFor="session-search" className="visually-hidden">
              Search chats
            </label>
            <input id="session-search" type="search" placeholder="Search chats" value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
        </div>
        <nav className="session-nav" aria-label="Chat history">
          <ul className="session-list">
            {list.sessions.map((session) => (
              <SessionItem key={session.id} session={session} active={session.id === activeId} onSelect={onSelect} onRename={rename} onDelete={remove} />
            ))}
            {list.hasMore && (
              <li ref={sentinelRef} className="session-more">
                <button type="button" className="button button-ghost button-small" onClick={() => void list.loadMore()} disabled={list.loading}>
                  {list.loading ? 'Loading…' : 'Load more chats'}
                </button>
              </li>
            )}
          </ul>
          {!list.loading && list.sessions.length === 0 && !list.error && <p className="session-empty">{props.query ? 'No chat matches your search.' : 'No chats yet.'}</p>}
          {list.error && (
            <div className="session-empty" role="alert">
              <p>{list.error}</p>
              <button type="button" className="button button-small" onClick={() => void list.reload()}>
                Try again
              </button>
            </div>
          )}
        </nav>
        <div className="sidebar-bottom">
          <button type="button" className="sidebar-link" onClick={props.onOpenMemory}>
            <Icon name="memory" /> Memory
          </button>
          {props.onOpenDocuments && (
            <button type="button" className="sidebar-link" onClick={props.onOpenDocuments}>
              <Icon name="file" /> Documents
            </button>
          )}
          <button type="button" className="sidebar-link" onClick={props.onOpenSettings}>
            <Icon name="settings" /> Settings
          </button>
          <div className="account">
            <span className="account-name" title={props.user.username}>
              {props.user.username}
            </span>
            <button type="button" className="icon-button" onClick={props.onLogout} aria-label="Log out">
              <Icon name="logout" />
            </button>
          </div>
        </div>
      </aside>
    </>
  );
}
