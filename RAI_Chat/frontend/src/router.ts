/**
 * The page's addresses: `/` a new chat, `/c/<session id>` a chat, `/settings` and `/memory`
 * panels over the chat that was open (kept in the history entry's state). Everything is
 * relative to the page's base (`<base href>`, written by the API, so that the page works under
 * a sub-path behind a proxy).
 */
import { useCallback, useEffect, useState } from 'react';

export type Panel = 'settings' | 'memory' | 'documents';

export interface Route {
  /** The chat shown (behind a panel too); null: a new chat. */
  chatId: string | null;
  panel: Panel | null;
}

interface HistoryState {
  /** The chat behind a panel. */
  behind?: string | null;
  /** This entry was pushed by the page (so closing a panel can go Back to the chat). */
  pushed?: boolean;
}

/** The base path without its trailing slash: '' at the root, '/rai' under a sub-path. */
export function basePath(): string {
  try {
    return new URL(document.baseURI).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

export function parseRoute(pathname: string, state: HistoryState | null = null, base = basePath()): Route {
  const path = (pathname.startsWith(base) ? pathname.slice(base.length) : pathname).replace(/\/+$/, '') || '/';
  const chat = /^\/c\/([^/]+)$/.exec(path);
  if (chat) return { chatId: decodeURIComponent(chat[1]), panel: null };
  if (path === '/settings' || path === '/memory' || path === '/documents') return { chatId: state?.behind ?? null, panel: path.slice(1) as Panel };
  return { chatId: null, panel: null };
}

export function routePath(route: Route, base = basePath()): string {
  if (route.panel) return `${base}/${route.panel}`;
  if (route.chatId) return `${base}/c/${encodeURIComponent(route.chatId)}`;
  return `${base}/`;
}

export function current(): Route {
  return parseRoute(window.location.pathname, window.history.state as HistoryState | null);
}

const listeners = new Set<() => void>();

/** Go to a route: a new history entry (`replace`: change the current one). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const state: HistoryState = { behind: route.panel ? route.chatId : undefined, pushed: !options.replace || Boolean((window.history.state as HistoryState | null)?.pushed) };
  const url = routePath(route);
  if (options.replace) window.history.replaceState(state, '', url);
  else window.history.pushState(state, '', url);
  for (const listener of listeners) listener();
}

/** Open a panel over the chat that is open now. */
export function openPanel(panel: Panel): void {
  const now = current();
  if (now.panel !== panel) navigate({ chatId: now.chatId, panel }, { replace: now.panel !== null });
}

/** Whether going Back stays in the page (the current entry was pushed by it). */
export function canGoBack(): boolean {
  return Boolean((window.history.state as HistoryState | null)?.pushed);
}

/** The current route, following Back/Forward and `navigate`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  const update = useCallback(() => {
    setRoute((previous) => {
      const next = current();
      return next.chatId === previous.chatId && next.panel === previous.panel ? previous : next;
    });
  }, []);
  useEffect(() => {
    listeners.add(update);
    window.addEventListener('popstate', update);
    update();
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, [update]);
  return route;
}

/** Open a link in the page unless the user asked for a new tab or window. */
export function isPlainClick(event: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean }): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}
