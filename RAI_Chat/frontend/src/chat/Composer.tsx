import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { Icon } from '../ui/Icon';

interface ComposerProps {
  onSend: (text: string) => boolean | void;
  onStop: () => void;
  streaming: boolean;
  /** Sending is not possible yet (the chat is loading); typing is. */
  disabled?: boolean;
  autoFocusKey?: string | null;
  /** The server's limit (from the API); the counter shows near it and sending stops over it. */
  maxChars?: number | null;
  /** The text, when the chat view holds it (to give it back after a failure). */
  value?: string;
  onChange?: (text: string) => void;
  /** ↑ in the empty box: edit the last message sent (returns whether there is one). */
  onEditLast?: () => boolean;
  /** Buttons before the box (attach files). */
  tools?: ReactNode;
}

/** The counter appears from this share of the limit. */
const COUNTER_FROM = 0.8;

/** A phone or tablet: focusing the box would pop the keyboard up over the chat. */
function isTouchDevice(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(pointer: coarse)').matches;
}

/** The message box: Enter sends, Shift+Enter starts a new line; while an answer streams, Stop (or Esc). */
export function Composer({ onSend, onStop, streaming, disabled, autoFocusKey, maxChars, value, onChange, tools, onEditLast }: ComposerProps) {
  const [ownText, setOwnText] = useState('');
  const text = value ?? ownText;
  const setText = onChange ?? setOwnText;
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const tooLong = Boolean(maxChars) && text.length > (maxChars as number);
  const showCounter = Boolean(maxChars) && text.length >= (maxChars as number) * COUNTER_FROM;

  useEffect(() => {
    if (!isTouchDevice()) areaRef.current?.focus();
  }, [autoFocusKey]);

  // Grow with the text, up to a limit set in CSS.
  useEffect(() => {
    const area = areaRef.current;
    if (!area) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 240)}px`;
  }, [text]);

  // Esc stops the answer (unless a panel or dialog is open: there Esc closes it).
  useEffect(() => {
    if (!streaming) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('[role="dialog"]')) return;
      event.preventDefault();
      onStop();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [streaming, onStop]);

  const submit = () => {
    if (streaming || disabled || tooLong || !text.trim()) return;
    if (onSend(text) !== false) setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'ArrowUp' && !text && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && onEditLast?.()) {
      event.preventDefault();
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  const described = ['composer-hint', showCounter ? 'composer-count' : null].filter(Boolean).join(' ');
  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      {tools}
      <textarea
        id="composer-input"
        ref={areaRef}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Message RAI…"
        rows={1}
        aria-describedby={described}
        aria-invalid={tooLong || undefined}
      />
      <span id="composer-hint" className="visually-hidden">
        Enter sends the message. Shift and Enter start a new line. Escape stops an answer. Up arrow in the empty box edits your last message.
      </span>
      {showCounter && (
        <span id="composer-count" className={`composer-count ${tooLong ? 'composer-count-over' : ''}`} aria-live="polite">
          {tooLong
            ? `${(text.length - (maxChars as number)).toLocaleString('en')} characters over the limit of ${(maxChars as number).toLocaleString('en')}`
            : `${text.length.toLocaleString('en')} / ${(maxChars as number).toLocaleString('en')}`}
        </span>
      )}
      {streaming ? (
        <button type="button" className="composer-button composer-stop" onClick={onStop} aria-label="Stop the answer">
          <Icon name="stop" />
        </button>
      ) : (
        <button type="submit" className="composer-button" disabled={disabled || tooLong || !text.trim()} aria-label="Send message">
          <Icon name="send" />
        </button>
      )}
    </form>
  );
}
