import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { isTypingTarget, ShortcutsHelp } from './ShortcutsDialog';

function Page() {
  return (
    <>
      <ShortcutsHelp />
      <label>
        Message <textarea />
      </label>
      <button type="button">Elsewhere</button>
    </>
  );
}

describe('<ShortcutsHelp>', () => {
  it('the ? button opens a dialog listing the shortcuts; Esc closes it and focus returns', async () => {
    const user = userEvent.setup();
    render(<Page />);
    const button = screen.getByRole('button', { name: 'Keyboard shortcuts' });
    await user.click(button);
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    const rows = screen.getAllByRole('row').slice(1).map((row) => row.textContent);
    expect(rows).toEqual([
      'EnterSend the message (or the edited message)',
      'Shift + EnterStart a new line',
      'EscStop the answer being written; cancel an edit; close a dialog',
      '↑In an empty message box: edit your last message',
      '?Show these shortcuts (outside a text field)',
    ]);
    // Focus is inside and stays inside.
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.tab();
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.tab();
    await user.tab({ shift: true });
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(button).toHaveFocus();
  });

  it('the ? key opens it outside text fields only', async () => {
    const user = userEvent.setup();
    render(<Page />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.click(box);
    await user.keyboard('?');
    expect(box).toHaveValue('?');
    expect(screen.queryByRole('dialog')).toBeNull();
    const elsewhere = screen.getByRole('button', { name: 'Elsewhere' });
    elsewhere.focus();
    await user.keyboard('?');
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Close keyboard shortcuts' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(elsewhere).toHaveFocus();
  });

  it('knows which elements take typing', () => {
    const input = document.createElement('input');
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    expect(isTypingTarget(input)).toBe(true);
    expect(isTypingTarget(checkbox)).toBe(false);
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true);
    expect(isTypingTarget(document.createElement('button'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
