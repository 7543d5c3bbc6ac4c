import { useCallback, useEffect, useRef, useState } from 'react';
import { useCapabilities } from './api/capabilities';
import { fetchSessionMessages } from './api/sessions';
import type { ChatSession, User } from './api/types';
import { ChatView } from './chat/ChatView';
import { ShortcutsHelp } from './chat/ShortcutsDialog';
import { saveActiveSession } from './chat/inflightStore';
import { LibraryPanel } from './documents/LibraryPanel';
import { MemoryPanel } from './memory/MemoryPanel';
import { followMessageHash } from './memory/openMessage';
import { canGoBack, navigate, useRoute, type Panel } from './router';
import type { AccountActions } from './settings/AccountSettings';
import { SettingsPanel } from './settings/SettingsPanel';
import type { Theme } from './settings/useSettings';
import { sessionTitle } from './sidebar/SessionItem';
import { Sidebar } from './sidebar/Sidebar';
import { useSessionList } from './sidebar/useSessionList';
import { Icon } from './ui/Icon';

const TITLE_CHECKS_MS = [1000, 2500, 5000, 10000, 20000];

interface ChatLayoutProps {
  user: User;
  onLogout: () => void;
  theme: Theme;
  onThemeChange: (theme: Theme) => void;
  model: string | null;
  onModelChange: (model: string | null) => void;
  account?: AccountActions;
}

/** The signed-in page: chat list, the open chat, and the memory and settings panels. */
export function ChatLayout({ user, onLogout, theme, onThemeChange, model, onModelChange, account }: ChatLayoutProps) {
  // The address says which chat is open (/c/<id>) and which panel is over it (/memory, /settings).
  const route = useRoute();
  const routeRef = useRef(route);
  routeRef.current = route;
  const activeId = route.chatId;
  const memoryOpen = route.panel === 'memory';
  const settingsOpen = route.panel === 'settings';
  const documentsOpen = route.panel === 'documents';
  const [query, setQuery] = useState('');
  const [drawerOpen, setDrawerOpen] = useState(false);
  const list = useSessionList(query);
  const capabilities = useCapabilities();
  const { upsert, refreshTop, update } = list;

  useEffect(() => saveActiveSession(activeId), [activeId]);
  // A link to a message (`/c/<id>#message-<id>`, from the memory panel): show it.
  useEffect(() => followMessageHash(), []);

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDrawerOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  const select = useCallback((id: string) => {
    const now = routeRef.current;
    if (now.chatId !== id || now.panel) navigate({ chatId: id, panel: null });
    setDrawerOpen(false);
  }, []);
  const newChat = useCallback(() => {
    const now = routeRef.current;
    if (now.chatId || now.panel) navigate({ chatId: null, panel: null });
    setDrawerOpen(false);
  }, []);
  const onSessionStarted = useCallback(
    (id: string) => {
      // The new chat gets its address in place of "/" (Back does not return to an empty chat).
      navigate({ chatId: id, panel: routeRef.current.panel }, { replace: true });
      upsert({ id, title: '', created_at: new Date().toISOString(), updated_at: new Date().toISOString() }, true);
    },
    [upsert],
  );
  const openPanel = useCallback((panel: Panel) => {
    const now = routeRef.current;
    if (now.panel === panel) return;
    navigate({ chatId: now.chatId, panel }, { replace: now.panel !== null });
    setDrawerOpen(false);
  }, []);
  const closePanel = useCallback(() => {
    const now = routeRef.current;
    if (!now.panel) return;
    if (canGoBack()) window.history.back();
    else navigate({ chatId: now.chatId, panel: null }, { replace: true });
  }, []);
  // The model's title comes a moment after the first answer: look again a few times (the top
  // bar and the list show it as soon as it exists).
  const titleWatch = useRef<ReturnType<typeof setTimeout>[]>([]);
  useEffect(() => () => titleWatch.current.forEach(clearTimeout), []);
  const onTurnFinished = useCallback(
    (sid: string) => {
      void refreshTop();
      titleWatch.current.forEach(clearTimeout);
      titleWatch.current = TITLE_CHECKS_MS.map((ms) =>
        setTimeout(() => {
          void fetchSessionMessages(sid, { limit: 1 })
            .then((page) => page.session && update(page.session))
            .catch(() => undefined);
        }, ms),
      );
    },
    [refreshTop, update],
  );
  const onImported = useCallback(
    (session: ChatSession) => {
      upsert(session, true);
      navigate({ chatId: session.id, panel: null });
    },
    [upsert],
  );

  const active = list.sessions.find((s) => s.id === activeId);
  const title = activeId ? (active ? sessionTitle(active) : 'Chat') : 'New chat';

  return (
    <div className="layout">
      <a className="skip-link" href="#composer-input">
        Skip to the message box
      </a>
      <Sidebar
        list={list}
        query={query}
        onQueryChange={setQuery}
        activeId={activeId}
        onSelect={select}
        onNewChat={newChat}
        user={user}
        onOpenMemory={() => openPanel('memory')}
        onOpenSettings={() => openPanel('settings')}
        onOpenDocuments={() => openPanel('documents')}
        onLogout={onLogout}
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
      />
      <main className="main">
        <header className="topbar">
          <button type="button" className="icon-button drawer-toggle" onClick={() => setDrawerOpen(true)} aria-label="Open the chat list" aria-expanded={drawerOpen}>
            <Icon name="menu" />
          </button>
          <h1 className="topbar-title" title={title}>
            {title}
          </h1>
          <div className="topbar-actions">
            <ShortcutsHelp />
            <button type="button" className="icon-button" onClick={newChat} aria-label="New chat">
              <Icon name="plus" />
            </button>
            <button type="button" className="icon-button" onClick={() => openPanel('documents')} aria-label="Open documents">
              <Icon name="file" />
            </button>
            <button type="button" className="icon-button" onClick={() => openPanel('memory')} aria-label="Open memory">
              <Icon name="memory" />
            </button>
            <button type="button" className="icon-button" onClick={() => openPanel('settings')} aria-label="Open settings">
              <Icon name="settings" />
            </button>
          </div>
        </header>
        <ChatView sessionId={activeId} model={model} onSessionStarted={onSessionStarted} onTurnFinished={onTurnFinished} capabilities={capabilities} onForked={onImported} />
      </main>
      <MemoryPanel open={memoryOpen} onClose={closePanel} onOpenSession={select} />
      <LibraryPanel open={documentsOpen} onClose={closePanel} sessionId={activeId} />
      <SettingsPanel
        open={settingsOpen}
        onClose={closePanel}
        theme={theme}
        onThemeChange={onThemeChange}
        model={model}
        onModelChange={onModelChange}
        sessionId={activeId}
        onImported={onImported}
        isAdmin={Boolean(user.is_admin)}
        account={account}
      />
    </div>
  );
}
