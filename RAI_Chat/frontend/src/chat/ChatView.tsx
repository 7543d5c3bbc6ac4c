import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { useConversation } from './useConversation';

interface ChatViewProps {
  sessionId: string | null;
  model: string | null;
  onSessionStarted: (sessionId: string) => void;
  onTurnFinished: (sessionId: string) => void;
}

const SUGGESTIONS = ['Tell me what you remember about me.', 'Explain closures in JavaScript with a code example.', 'Summarise the latest news on renewable energy.'];

/** The open chat: its messages and the box to write the next one. */
export function ChatView({ sessionId, model, onSessionStarted, onTurnFinished }: ChatViewProps) {
  const chat = useConversation({ sessionId, model, onSessionStarted, onTurnFinished });
  const empty = !chat.loading && chat.messages.length === 0;

  return (
    <section className="chat" aria-label="Chat">
      {chat.loading && chat.messages.length === 0 ? (
        <div className="chat-placeholder" role="status">
          Loading the conversation…
        </div>
      ) : empty && !chat.loadError ? (
        <div className="chat-placeholder chat-welcome">
          <h2>How can I help?</h2>
          <p>RAI remembers what you tell it across conversations. Ask anything.</p>
          <ul className="suggestions">
            {SUGGESTIONS.map((s) => (
              <li key={s}>
                <button type="button" className="suggestion" onClick={() => chat.send(s)}>
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
          onRetry={chat.retry}
          busy={chat.streaming}
          chatKey={sessionId}
        />
      )}
      {chat.loadError && (
        <p className="chat-error" role="alert">
          {chat.loadError}
        </p>
      )}
      <Composer onSend={chat.send} onStop={chat.stop} streaming={chat.streaming} disabled={chat.loading} autoFocusKey={sessionId} />
    </section>
  );
}
