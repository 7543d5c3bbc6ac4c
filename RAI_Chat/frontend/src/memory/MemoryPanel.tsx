import { useState } from 'react';
import { forgetEverything } from '../api/memory';
import { Panel } from '../ui/Panel';
import { useToasts } from '../ui/Toasts';
import { EpisodicSearch } from './EpisodicSearch';
import { FactList } from './FactList';
import { highlightMessage } from './openMessage';

interface MemoryPanelProps {
  open: boolean;
  onClose: () => void;
  onOpenSession?: (sessionId: string) => void;
}

/** What RAI remembers: facts (add, edit, delete), a search of archived chats, forget everything. */
export function MemoryPanel({ open, onClose, onOpenSession }: MemoryPanelProps) {
  const toasts = useToasts();
  const [confirming, setConfirming] = useState(false);
  const [forgetting, setForgetting] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);

  // Opening a chat leaves the panel: the chat's address replaces the panel's (closing the
  // panel first would go Back in the history while the chat's address is being pushed).
  const openSession = onOpenSession;
  const openMessage = onOpenSession
    ? (sessionId: string, messageId: string) => {
        onOpenSession(sessionId);
        highlightMessage(messageId);
      }
    : undefined;

  const forgetAll = async () => {
    setForgetting(true);
    try {
      await forgetEverything();
      toasts.show('Everything RAI remembered about you is forgotten.');
      setConfirming(false);
      setReloadKey((k) => k + 1);
    } catch (err) {
      toasts.show(`Could not forget: ${err instanceof Error ? err.message : String(err)}`, { tone: 'error' });
    } finally {
      setForgetting(false);
    }
  };

  return (
    <Panel title="Memory" open={open} onClose={onClose} className="memory-panel">
      <FactList onOpenSession={openSession} onOpenMessage={openMessage} reloadKey={reloadKey} />
      <EpisodicSearch onOpenSession={openSession} />
      <section className="memory-section danger-zone" aria-labelledby="forget-heading">
        <h3 id="forget-heading">Forget everything</h3>
        <p className="muted">Deletes every remembered fact and every archived conversation memory. Your chats stay.</p>
        {confirming ? (
          <div className="confirm-row" role="group" aria-label="Confirm forgetting everything">
            <button type="button" className="button button-danger" onClick={() => void forgetAll()} disabled={forgetting}>
              {forgetting ? 'Forgetting…' : 'Yes, forget everything'}
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="button button-danger-outline" onClick={() => setConfirming(true)}>
            Forget everything…
          </button>
        )}
      </section>
    </Panel>
  );
}
