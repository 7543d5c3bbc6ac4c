import { useRef, useState, type ChangeEvent } from 'react';
import { exportSession, importSession, type ExportFormat } from '../api/sessions';
import type { ChatSession } from '../api/types';
import { Icon } from '../ui/Icon';

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function readFileText(file: File): Promise<string> {
  if (typeof file.text === 'function') return file.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file.'));
    reader.readAsText(file);
  });
}

interface SessionTransferProps {
  sessionId: string | null;
  onImported: (session: ChatSession) => void;
}

/** Export the open chat (JSON or Markdown) and import a chat exported as JSON. */
export function SessionTransfer({ sessionId, onImported }: SessionTransferProps) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const doExport = async (format: ExportFormat) => {
    if (!sessionId) return;
    setBusy(true);
    setMessage(null);
    try {
      const { blob, filename } = await exportSession(sessionId, format);
      downloadBlob(blob, filename);
      setMessage({ text: `Exported as ${filename}.`, error: false });
    } catch (err) {
      setMessage({ text: err instanceof Error ? err.message : String(err), error: true });
    } finally {
      setBusy(false);
    }
  };

  const doImport = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setBusy(true);
    setMessage(null);
    try {
      let transcript: unknown;
      try {
        transcript = JSON.parse(await readFileText(file));
      } catch {
        throw new Error('That file is not a JSON export of a chat.');
      }
      const session = await importSession(transcript);
      setMessage({ text: `Imported “${session.title ?? 'chat'}”.`, error: false });
      onImported(session);
    } catch (err) {
      setMessage({ text: err instanceof Error ? err.message : String(err), error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="transfer-heading">
      <h3 id="transfer-heading">Export and import</h3>
      <div className="button-row">
        <button type="button" className="button" onClick={() => void doExport('json')} disabled={!sessionId || busy}>
          <Icon name="download" size={16} /> Export chat (JSON)
        </button>
        <button type="button" className="button" onClick={() => void doExport('markdown')} disabled={!sessionId || busy}>
          <Icon name="download" size={16} /> Export chat (Markdown)
        </button>
        <button type="button" className="button" onClick={() => fileRef.current?.click()} disabled={busy}>
          <Icon name="upload" size={16} /> Import chat…
        </button>
        <input ref={fileRef} type="file" accept="application/json,.json" className="visually-hidden" onChange={(e) => void doImport(e)} aria-label="Chat export file to import" tabIndex={-1} />
      </div>
      {!sessionId && <p className="muted">Open a chat to export it.</p>}
      {message && (
        <p className={message.error ? 'field-error' : 'muted'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
