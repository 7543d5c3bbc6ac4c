import { useEffect, useState } from 'react';
import { listModels } from '../api/chat';
import type { ChatSession, EngineModel } from '../api/types';
import { Panel } from '../ui/Panel';
import { AccountSettings, type AccountActions } from './AccountSettings';
import { AdminKeys } from './AdminKeys';
import { ApiKeys } from './ApiKeys';
import { SessionTransfer } from './SessionTransfer';
import type { Theme } from './useSettings';

interface SettingsPanelProps {
  open: boolean;
  onClose: () => void;
  theme: Theme;
  onThemeChange: (theme: Theme) => void;
  model: string | null;
  onModelChange: (model: string | null) => void;
  sessionId: string | null;
  onImported: (session: ChatSession) => void;
  /** Administrators also see every user's API keys and usage. */
  isAdmin?: boolean;
  /** Password change and "sign out everywhere" (absent: the section is not shown). */
  account?: AccountActions;
}

const THEMES: Array<{ value: Theme; label: string }> = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Model (when the API lists the engine's models), theme, export/import, API keys. */
export function SettingsPanel(props: SettingsPanelProps) {
  const { open, model, onModelChange } = props;
  const [models, setModels] = useState<EngineModel[] | null | undefined>(undefined);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    void listModels(controller.signal).then((list) => {
      if (!controller.signal.aborted) setModels(list);
    });
    return () => controller.abort();
  }, [open]);

  // A saved model the engine no longer offers falls back to the default.
  const known = models?.some((m) => m.id === model);
  useEffect(() => {
    if (models && model && !known) onModelChange(null);
  }, [models, model, known, onModelChange]);

  return (
    <Panel title="Settings" open={open} onClose={props.onClose} className="settings-panel">
      {models && models.length > 0 && (
        <section className="settings-section" aria-labelledby="model-heading">
          <h3 id="model-heading">Model</h3>
          <label htmlFor="model-select" className="field-label">
            Model used for new messages
          </label>
          <select id="model-select" value={known ? (model as string) : ''} onChange={(e) => onModelChange(e.target.value || null)}>
            <option value="">Server default</option>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
        </section>
      )}
      <section className="settings-section" aria-labelledby="theme-heading">
        <h3 id="theme-heading">Theme</h3>
        <div className="segmented" role="radiogroup" aria-labelledby="theme-heading">
          {THEMES.map((t) => (
            <label key={t.value} className={`segment ${props.theme === t.value ? 'segment-active' : ''}`}>
              <input type="radio" name="theme" value={t.value} checked={props.theme === t.value} onChange={() => props.onThemeChange(t.value)} />
              {t.label}
            </label>
          ))}
        </div>
      </section>
      {props.account && <AccountSettings {...props.account} />}
      <SessionTransfer sessionId={props.sessionId} onImported={props.onImported} />
      <ApiKeys open={open} />
      {props.isAdmin && <AdminKeys open={open} />}
    </Panel>
  );
}
