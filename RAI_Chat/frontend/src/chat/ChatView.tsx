import { useCallback, useRef, useState } from 'react';
import type { Capabilities } from '../api/capabilities';
import type { ChatSession } from '../api/types';
import { AttachButton } from '../documents/AttachButton';
import { DocumentChips } from '../documents/DocumentChips';
import { useAttachments } from '../documents/useAttachments';
import { useFileDrop } from '../documents/useFileDrop';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { useConversation } from './useConversation';
import { useMessageTools } from './useMessageTools';

interface ChatViewProps {
  sessionId: string | null;
  model: string | null;
  onSessionStarted: (sessionId: string) => void;
  onTurnFinished: (sessionId: string) => void;
  /** The server's limits and abilities (null until known). */
  capabilities?: Capabilities | null;
  /** A branch was forked into this new chat: open it. */
  onForked?: (session: ChatSession) => void;
}

/** Starters; one that needs web search is offered only when the server can search. */
const SUGGESTIONS: Array<{ text: string; needs?: 'web_search' }> = [
  { text: 'Tell me what you remember about me.' },
  { text: 'Explain closures in JavaScript with a code example.' },
  { text: 'Summarise the latest news on renewable energy.', needs: 'web_search' },
];

export function startersFor(capabilities: Capabilities | null | undefined): string[] {
  return SUGGESTIONS.filter((s) => !s.needs || Boolean(capabilities?.[s.needs])).map((s) => s.text);
}

/** The open chat: its messages and the box to write the next one. */
export function ChatView({ sessionId, model, onSessionStarted, onTurnFinished, capabilities, onForked }: ChatViewProps) {
  const [draft, setDraft] = useState('');
  // A message that failed comes back to the box (unless something new was typed meanwhile).
  const onTurnFailed = useCallback((text: string) => setDraft((current) => (current.trim() ? current : text)), []);
  const attachments = useAttachments(sessionId);
  const { adopt } = attachments;
  const started = useCallback(
    (id: string) => {
      adopt(id);
      onSessionStarted(id);
    },
    [adopt, onSessionStarted],
  );
  const chat = useConversation({ sessionId, model, onSessionStarted: started, onTurnFinished, onTurnFailed, onForked, documentIdsForNewChat: attachments.newChatDocumentIds });
  const { tools, editingId, editLast } = useMessageTools(chat, sessionId);
  const drop = useFileDrop(attachments.addFiles);
  const { retry: retryTurn, messages } = chat;
  // Read through a ref: a new callback on every streamed token would re-render every bubble.
  const messagesRef = useRef(messages);
  messagesRef.current = messages;
  const retry = useCallback(
    (id: string) => {
      const text = messagesRef.current.find((m) => m.id === id)?.retryText;
      setDraft((current) => (current === text ? '' : current));
      retryTurn(id);
    },
    [retryTurn],
  );
  const empty = !chat.loading && chat.messages.length === 0;

  return (
    <section className={`chat ${drop.dragging ? 'chat-dragging' : ''}`} aria-label="Chat" {...drop.handlers}>
      {drop.dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop files to attach them to this chat
        </div>
      )}
      {chat.loading && chat.messages.length === 0 ? (
        <div className="chat-placeholder" role="status">
          Loading the conversation…
        </div>
      ) : empty && !chat.loadError ? (
        <div className="chat-placeholder chat-welcome">
          <h2>How can I help?</h2>
          <p>RAI remembers what you tell it across conversations. Ask anything.</p>
          <ul className="suggestions">
            {startersFor(capabilities).map((s) => (
              <li key={s}>
                {/* Into the box, to be read and changed before sending. */}
                <button
                  type="button"
                  className="suggestion"
                  onClick={() => {
                    setDraft(s);
                    document.getElementById('composer-input')?.focus();
                  }}
                >
                  {s}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <MessageList
          messages={chat.messages}
          hasOlder={Boolean(chat.olderCursor)}
          loadingOlder={chat.loadingOlder}
          onLoadOlder={chat.loadOlder}
          onRetry={retry}
          busy={chat.streaming || chat.pending}
          chatKey={sessionId}
          tools={tools}
          editingId={editingId}
          maxChars={capabilities?.max_message_chars}
        />
      )}
      {chat.loadError && (
        <p className="chat-error" role="alert">
          {chat.loadError}
        </p>
      )}
      {chat.notice && (
        <div className="chat-error chat-notice" role="alert">
          <span>{chat.notice}</span>
          <button type="button" className="button button-ghost button-small" onClick={chat.dismissNotice}>
            Dismiss
          </button>
        </div>
      )}
      <DocumentChips items={attachments.items} onRemove={(item) => void attachments.remove(item)} inSession={Boolean(sessionId)} error={attachments.error} />
      <Composer
        tools={<AttachButton onFiles={attachments.addFiles} />}
        onSend={chat.send}
        onStop={chat.stop}
        streaming={chat.streaming}
        disabled={chat.loading || attachments.uploading}
        autoFocusKey={sessionId}
        maxChars={capabilities?.max_message_chars}
        value={draft}
        onChange={setDraft}
        onEditLast={editLast}
      />
    </section>
  );
}
