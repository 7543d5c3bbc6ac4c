import { useRef } from 'react';
import { Icon } from '../ui/Icon';
import './documents.css';

/** What the file picker offers; the server decides the type by the file's content, not this list. */
export const ACCEPTED_FILES = '.pdf,.docx,.html,.htm,.md,.markdown,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/html,text/markdown,text/plain';

/** The paperclip in the message box: opens the file picker. */
export function AttachButton({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="composer-attach" onClick={() => input.current?.click()} disabled={disabled} aria-label="Attach files" title="Attach files (PDF, DOCX, HTML, Markdown, text)">
        <Icon name="attach" />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPTED_FILES}
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        aria-label="Files to attach"
        data-testid="attach-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
    </>
  );
}
