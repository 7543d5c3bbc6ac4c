import { useCallback, useEffect, useState } from 'react';
import type { ChatSession, User } from './api/types';
import { ChatView } from './chat/ChatView';
import { loadActiveSession, saveActiveSession } from './chat/inflightStore';
import { MemoryPanel } from './memory/MemoryPanel';
import type { AccountActions } from './settings/AccountSettings';
import { SettingsPanel } from './settings/SettingsPanel';
import type { Theme } from './settings/useSettings';
import { sessionTitle } from './sidebar/SessionItem';
import { Sidebar } from './sidebar/Sidebar';
import { useSessionList } from './sidebar/useSessionList';
import { Icon } from './ui/Icon';

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
  const [activeId, setActiveId] = useState<string | null>(() => loadActiveSession());
  const [query, setQuery] = useState('');
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [memoryOpen, setMemoryOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const list = useSessionList(query);
  const { upsert, refreshTop } = list;

  useEffect(() => saveActiveSession(activeId), [activeId]);

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDrawerOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  const select = useCallback((id: string) => {
    setActiveId(id);
    setDrawerOpen(false);
  }, []);
  const newChat = useCallback(() => {
    setActiveId(null);
    setDrawerOpen(false);
  }, []);
  const onSessionStarted = useCallback(
    (id: string) => {
      setActiveId(id);
      upsert({ id, title: null, created_at: new Date().toISOString(), updated_at: new Date().toISOString() }, true);
    },
    [upsert],
  );
  const onTurnFinished = useCallback(() => void refreshTop(), [refreshTop]);
  const onImported = useCallback(
    (session: ChatSession) => {
      upsert(session, true);
      setActiveId(session.id);
      setSettingsOpen(false);
    },
    [upsert],
  );
  const closeMemory = useCallback(() => setMemoryOpen(false), []);
  const closeSettings = useCallback(() => setSettingsOpen(false), []);

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
        onOpenMemory={() => setMemoryOpen(true)}
        onOpenSettings={() => setSettingsOpen(true)}
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
            <button type="button" className="icon-button" onClick={newChat} aria-label="New chat">
              <Icon name="plus" />
            </button>
            <button type="button" className="icon-button" onClick={() => setMemoryOpen(true)} aria-label="Open memory">
              <Icon name="memory" />
            </button>
            <button type="button" className="icon-button" onClick={() => setSettingsOpen(true)} aria-label="Open settings">
              <Icon name="settings" />
            </button>
          </div>
        </header>
        <ChatView sessionId={activeId} model={model} onSessionStarted={onSessionStarted} onTurnFinished={onTurnFinished} />
      </main>
      <MemoryPanel open={memoryOpen} onClose={closeMemory} onOpenSession={select} />
      <SettingsPanel
        open={settingsOpen}
        onClose={closeSettings}
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
