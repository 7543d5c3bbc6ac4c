import { useCallback, useEffect, useState } from 'react';
import { Icon } from '../ui/Icon';
import { Panel } from '../ui/Panel';
import './branches.css';

/** The keyboard shortcuts of the chat, as the help dialog lists them. */
export const SHORTCUTS: Array<{ keys: string[]; what: string }> = [
  { keys: ['Enter'], what: 'Send the message (or the edited message)' },
  { keys: ['Shift', 'Enter'], what: 'Start a new line' },
  { keys: ['Esc'], what: 'Stop the answer being written; cancel an edit; close a dialog' },
  { keys: ['↑'], what: 'In an empty message box: edit your last message' },
  { keys: ['?'], what: 'Show these shortcuts (outside a text field)' },
];

/** Whether a key press is meant for a text field (or another control that takes typing). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'TEXTAREA' || tag === 'SELECT' || (tag === 'INPUT' && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes((target as HTMLInputElement).type));
}

/**
 * A "?" button and the "?" key (outside text fields) open a dialog listing the shortcuts. It is
 * a modal dialog (the Panel): focus moves into it, stays in it, and returns on close (Esc).
 */
export function ShortcutsHelp() {
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (isTypingTarget(event.target) || document.querySelector('[role="dialog"]')) return;
      event.preventDefault();
      setOpen(true);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <button type="button" className="icon-button" onClick={() => setOpen(true)} aria-label="Keyboard shortcuts" aria-haspopup="dialog" aria-keyshortcuts="?">
        <Icon name="help" />
      </button>
      <Panel title="Keyboard shortcuts" open={open} onClose={close} className="shortcuts-dialog">
        <table className="shortcuts">
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">What they do</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys.join('+')}>
                <td>
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && ' + '}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </>
  );
}
