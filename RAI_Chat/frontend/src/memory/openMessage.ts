/**
 * Opening the message a fact came from: the chat's address with `#message-<id>`; once the chat
 * shows that message, it is scrolled into view and highlighted for a few seconds.
 */
import { routePath } from '../router';
import './memory.css';

const HASH = /^#message-(.+)$/;
export const HIGHLIGHT_CLASS = 'message-highlight';
const HIGHLIGHT_MS = 4000;
const WAIT_MS = 20_000;

export function messageHref(sessionId: string, messageId: string): string {
  return `${routePath({ chatId: sessionId, panel: null })}#message-${encodeURIComponent(messageId)}`;
}

function find(messageId: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
}

function show(element: HTMLElement): void {
  element.scrollIntoView({ block: 'center', behavior: 'smooth' });
  element.classList.add(HIGHLIGHT_CLASS);
  window.setTimeout(() => element.classList.remove(HIGHLIGHT_CLASS), HIGHLIGHT_MS);
}

/**
 * Scroll to and highlight the message when the chat shows it (it may still be loading).
 * Returns a function that stops waiting.
 */
export function highlightMessage(messageId: string): () => void {
  const now = find(messageId);
  if (now) {
    show(now);
    return () => undefined;
  }
  const observer = new MutationObserver(() => {
    const element = find(messageId);
    if (!element) return;
    stop();
    show(element);
  });
  const timer = window.setTimeout(() => stop(), WAIT_MS);
  function stop() {
    observer.disconnect();
    window.clearTimeout(timer);
  }
  observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-message-id'] });
  return stop;
}

/** Follow a `#message-<id>` in the address (a link opened in a new tab, or a reload). */
export function followMessageHash(hash = window.location.hash): (() => void) | undefined {
  const found = HASH.exec(hash);
  if (!found) return undefined;
  try {
    return highlightMessage(decodeURIComponent(found[1]));
  } catch {
    return undefined;
  }
}
