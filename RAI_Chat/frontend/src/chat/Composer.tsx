import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Icon } from '../ui/Icon';

interface ComposerProps {
  onSend: (text: string) => boolean | void;
  onStop: () => void;
  streaming: boolean;
  /** Sending is not possible yet (the chat is loading); typing is. */
  disabled?: boolean;
  autoFocusKey?: string | null;
}

/** The message box: Enter sends, Shift+Enter starts a new line; while an answer streams, Stop. */
export function Composer({ onSend, onStop, streaming, disabled, autoFocusKey }: ComposerProps) {
  const [text, setText] = useState('');
  const areaRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    areaRef.current?.focus();
  }, [autoFocusKey]);

  // Grow with the text, up to a limit set in CSS.
  useEffect(() => {
    const area = areaRef.current;
    if (!area) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 240)}px`;
  }, [text]);

  const submit = () => {
    if (streaming || disabled || !text.trim()) return;
    if (onSend(text) !== false) setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={areaRef}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Message RAI…"
        rows={1}
        aria-describedby="composer-hint"
      />
      <span id="composer-hint" className="visually-hidden">
        Enter sends the message. Shift and Enter start a new line.
      </span>
      {streaming ? (
        <button type="button" className="composer-button composer-stop" onClick={onStop} aria-label="Stop the answer">
          <Icon name="stop" />
        </button>
      ) : (
        <button type="submit" className="composer-button" disabled={disabled || !text.trim()} aria-label="Send message">
          <Icon name="send" />
        </button>
      )}
    </form>
  );
}
