import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import './branches.css';

interface MessageEditorProps {
  initial: string;
  onSubmit: (text: string) => void;
  onCancel: () => void;
  /** An answer is being written: saving waits for it. */
  disabled?: boolean;
  maxChars?: number | null;
}

/**
 * Edits a sent message in place: Enter (or Save) sends the new version, which is answered
 * anew; Shift+Enter starts a new line; Esc (or Cancel) leaves the message as it was.
 */
export function MessageEditor({ initial, onSubmit, onCancel, disabled, maxChars }: MessageEditorProps) {
  const [text, setText] = useState(initial);
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const tooLong = Boolean(maxChars) && text.length > (maxChars as number);
  const canSave = !disabled && !tooLong && text.trim().length > 0;

  useEffect(() => {
    const area = areaRef.current;
    if (!area) return;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }, []);

  useEffect(() => {
    const area = areaRef.current;
    if (!area) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 320)}px`;
  }, [text]);

  const save = () => {
    if (canSave) onSubmit(text);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      // Esc here cancels the edit only (it must not also stop an answer or close a panel).
      event.preventDefault();
      event.stopPropagation();
      event.nativeEvent.stopImmediatePropagation();
      onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  };

  return (
    <form
      className="message-editor"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <textarea
        ref={areaRef}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-label="Edit your message"
        aria-describedby={hintId}
        aria-invalid={tooLong || undefined}
        rows={2}
      />
      <span id={hintId} className="visually-hidden">
        Enter sends the new version. Shift and Enter start a new line. Escape cancels.
      </span>
      <div className="message-editor-buttons">
        <button type="button" className="button button-small" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary button-small" disabled={!canSave}>
          Save and send
        </button>
      </div>
    </form>
  );
}
