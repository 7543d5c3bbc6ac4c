import { Icon } from '../ui/Icon';
import { isLocalId, type UiMessage } from './conversationState';
import { SiblingSwitcher } from './SiblingSwitcher';
import './branches.css';

/** What can be done to a message of the conversation tree (see useConversation). */
export interface MessageTools {
  onRegenerate: (assistantId: string) => void;
  onContinue: (assistantId: string) => void;
  onFork: (messageId: string) => void;
  /** Opens the in-place editor on a user message. */
  onEdit: (userId: string) => void;
  onEditSubmit: (userId: string, text: string) => void;
  onEditCancel: () => void;
  onSwitch: (messageId: string) => void;
}

interface MessageActionsProps {
  message: UiMessage;
  tools: MessageTools;
  /** An answer is streaming (or a switch/fork is on its way): the tools wait. */
  busy: boolean;
}

/**
 * Under a message: its versions (‹ 2/3 ›) and what can be done with it — Regenerate,
 * Continue (an answer that stopped early) and Fork for an answer; Edit and Fork for the
 * user's message. Nothing for a message the server has not saved yet.
 */
export function MessageActions({ message, tools, busy }: MessageActionsProps) {
  const isUser = message.role === 'user';
  const streaming = message.status === 'streaming';
  const saved = !isLocalId(message.id);
  const switcher =
    message.siblingIds && message.siblingIndex ? (
      <SiblingSwitcher siblingIds={message.siblingIds} index={message.siblingIndex} onSwitch={tools.onSwitch} disabled={busy || !saved} noun={isUser ? 'message' : 'answer'} />
    ) : null;
  if (!saved || streaming) return switcher ? <div className="message-tools">{switcher}</div> : null;
  return (
    <div className="message-tools">
      {switcher}
      {isUser ? (
        <button type="button" className="button button-ghost button-small" onClick={() => tools.onEdit(message.id)} disabled={busy} aria-label="Edit this message">
          <Icon name="edit" size={14} /> Edit
        </button>
      ) : (
        <>
          <button type="button" className="button button-ghost button-small" onClick={() => tools.onRegenerate(message.id)} disabled={busy} aria-label="Regenerate this answer">
            <Icon name="retry" size={14} /> Regenerate
          </button>
          {message.canContinue && (
            <button type="button" className="button button-ghost button-small" onClick={() => tools.onContinue(message.id)} disabled={busy} aria-label="Continue this answer">
              <Icon name="send" size={14} /> Continue
            </button>
          )}
        </>
      )}
      <button type="button" className="button button-ghost button-small" onClick={() => tools.onFork(message.id)} disabled={busy} aria-label="Fork the conversation from here">
        <Icon name="fork" size={14} /> Fork
      </button>
    </div>
  );
}
