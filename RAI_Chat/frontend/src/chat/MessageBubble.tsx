import { memo } from 'react';
import { Markdown } from '../markdown/Markdown';
import { Icon } from '../ui/Icon';
import type { UiMessage } from './conversationState';
import { describeAction } from './describeAction';
import { Sources } from './Sources';

const statusNotes: Record<string, string> = {
  stopped: 'Stopped',
  interrupted: 'The answer was interrupted before the end',
};

/** One message. The user's text is shown as typed; the assistant's as sanitised markdown. */
export const MessageBubble = memo(function MessageBubble({ message, onRetry }: { message: UiMessage; onRetry?: (id: string) => void }) {
  const isUser = message.role === 'user';
  const streaming = message.status === 'streaming';
  const failed = message.status === 'error';
  return (
    <article
      className={`message message-${isUser ? 'user' : 'assistant'} ${failed ? 'message-failed' : ''}`}
      aria-label={isUser ? 'You' : 'Assistant'}
      aria-busy={streaming || undefined}
      data-role={message.role}
      data-status={message.status}
      data-message-id={message.id}
    >
      <div className="message-body">
        {isUser ? (
          <p className="message-text">{message.content}</p>
        ) : message.content ? (
          <Markdown source={message.content} />
        ) : streaming ? (
          <span className="typing" aria-label="The assistant is writing">
            <span />
            <span />
            <span />
          </span>
        ) : null}
        {streaming && message.content && <span className="cursor" aria-hidden="true" />}
      </div>
      {streaming && message.statusLine && (
        <p className="status-line" role="status">
          <span className="spinner" aria-hidden="true" />
          {message.statusLine}
        </p>
      )}
      {!isUser && message.actions && message.actions.length > 0 && (
        <ul className="message-actions" aria-label="What the assistant did">
          {message.actions.map((action, i) => (
            <li key={i}>{describeAction(action)}</li>
          ))}
        </ul>
      )}
      {!isUser && message.sources && message.sources.length > 0 && <Sources sources={message.sources} />}
      {statusNotes[message.status] && <p className="message-note">{statusNotes[message.status]}</p>}
      {failed && (
        <div className="message-error" role="alert">
          <span>{message.error || 'The answer failed.'}</span>
          {onRetry && message.retryText && (
            <button type="button" className="button button-small" onClick={() => onRetry(message.id)}>
              <Icon name="retry" size={14} /> Retry
            </button>
          )}
        </div>
      )}
    </article>
  );
});
