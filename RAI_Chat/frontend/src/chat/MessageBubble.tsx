import { memo, useState } from 'react';
import { Markdown } from '../markdown/Markdown';
import { Icon } from '../ui/Icon';
import type { UiMessage } from './conversationState';
import { isPlainClick, openPanel, routePath } from '../router';
import { describeAction, isMemoryAction } from './describeAction';
import { Sources } from './Sources';
import { MessageActions, type MessageTools } from './MessageActions';
import { MessageEditor } from './MessageEditor';

const statusNotes: Record<string, string> = {
  stopped: 'Stopped',
  interrupted: 'The answer was interrupted before the end',
};

function CopyAnswer({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      /* the clipboard is not available here */
    }
  };
  return (
    <button type="button" className="button button-small message-copy" onClick={() => void copy()} aria-label={copied ? 'Answer copied' : 'Copy this answer'}>
      <Icon name={copied ? 'check' : 'copy'} size={14} /> {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

const memoryHref = () => routePath({ chatId: null, panel: 'memory' });

/** One message. The user's text is shown as typed; the assistant's as sanitised markdown. */
interface MessageBubbleProps {
  message: UiMessage;
  onRetry?: (id: string) => void;
  /** Regenerate, edit, continue, fork, switch versions (none: the message is read-only). */
  tools?: MessageTools;
  /** An answer is streaming: the tools wait. */
  busy?: boolean;
  /** This user message is being edited in place. */
  editing?: boolean;
  maxChars?: number | null;
}

export const MessageBubble = memo(function MessageBubble({ message, onRetry, tools, busy = false, editing = false, maxChars }: MessageBubbleProps) {
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
      data-saved={message.saved ? 'true' : undefined}
    >
      <div className="message-body">
        {isUser && editing && tools ? (
          <MessageEditor initial={message.content} onSubmit={(text) => tools.onEditSubmit(message.id, text)} onCancel={tools.onEditCancel} disabled={busy} maxChars={maxChars} />
        ) : isUser ? (
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
      </div>
      {/* What the assistant is doing, only until its first words arrive. */}
      {streaming && message.statusLine && !message.content && (
        <p className="status-line" role="status">
          <span className="spinner" aria-hidden="true" />
          {message.statusLine}
        </p>
      )}
      {!isUser && message.actions && message.actions.length > 0 && (
        <ul className="message-actions" aria-label="What the assistant did">
          {message.actions.map((action, i) => (
            <li key={i}>
              {isMemoryAction(action) ? (
                <a
                  href={memoryHref()}
                  onClick={(event) => {
                    if (!isPlainClick(event)) return;
                    event.preventDefault();
                    openPanel('memory');
                  }}
                >
                  {describeAction(action)}
                </a>
              ) : (
                describeAction(action)
              )}
            </li>
          ))}
        </ul>
      )}
      {!isUser && message.sources && message.sources.length > 0 && <Sources sources={message.sources} />}
      {statusNotes[message.status] && <p className="message-note">{statusNotes[message.status]}</p>}
      {!isUser && !streaming && !failed && message.content && <CopyAnswer text={message.content} />}
      {tools && !editing && <MessageActions message={message} tools={tools} busy={busy} />}
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
