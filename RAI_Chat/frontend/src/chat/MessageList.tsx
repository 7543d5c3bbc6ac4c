import { useCallback, useLayoutEffect, useRef } from 'react';
import type { UiMessage } from './conversationState';
import type { MessageTools } from './MessageActions';
import { MessageBubble } from './MessageBubble';

interface MessageListProps {
  messages: UiMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (id: string) => void;
  busy: boolean;
  /** Changes when another chat is opened: the list then jumps to its end. */
  chatKey: string | null;
  /** Regenerate, edit, continue, fork, switch versions. */
  tools?: MessageTools;
  /** The user message being edited in place. */
  editingId?: string | null;
  maxChars?: number | null;
}

const NEAR_TOP_PX = 300;
const NEAR_BOTTOM_PX = 120;

/**
 * The messages, oldest first. Follows the answer as it streams while the reader is at the
 * end, loads older messages when scrolled near the top and keeps the reading position then.
 * Bubbles are memoised, and off-screen ones skip layout (content-visibility in CSS).
 */
export function MessageList({ messages, hasOlder, loadingOlder, onLoadOlder, onRetry, busy, chatKey, tools, editingId, maxChars }: MessageListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number; firstId: string | undefined } | null>(null);

  const requestOlder = useCallback(() => {
    const el = scrollRef.current;
    if (!el || !hasOlder || loadingOlder) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop, firstId: messages[0]?.id };
    onLoadOlder();
  }, [hasOlder, loadingOlder, messages, onLoadOlder]);

  useLayoutEffect(() => {
    atBottom.current = true;
  }, [chatKey]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const kept = anchor.current;
    if (kept && messages[0]?.id !== kept.firstId) {
      el.scrollTop = el.scrollHeight - kept.height + kept.top;
      anchor.current = null;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    // A first page that does not fill the screen: fetch more so that scrolling can start.
    if (hasOlder && !loadingOlder && el.scrollHeight <= el.clientHeight + 10 && messages.length > 0) requestOlder();
  }, [messages, hasOlder, loadingOlder, requestOlder]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (el.scrollTop < NEAR_TOP_PX) requestOlder();
  };

  return (
    <div className="message-scroll" ref={scrollRef} onScroll={onScroll}>
      <div className="message-list" role="log" aria-label="Messages" aria-busy={busy}>
        {hasOlder && (
          <div className="older">
            <button type="button" className="button button-ghost button-small" onClick={requestOlder} disabled={loadingOlder}>
              {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
            </button>
          </div>
        )}
        {messages.map((message) => (
          <MessageBubble key={message.id} message={message} onRetry={onRetry} tools={tools} busy={busy} editing={message.id === editingId} maxChars={maxChars} />
        ))}
      </div>
    </div>
  );
}
