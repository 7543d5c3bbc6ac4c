import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Composer } from './Composer';

describe('<Composer>', () => {
  it('sends on Enter and clears the box', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} onStop={() => undefined} streaming={false} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'Hello{Enter}');
    expect(onSend).toHaveBeenCalledWith('Hello');
    expect(box).toHaveValue('');
  });

  it('starts a new line on Shift+Enter', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} onStop={() => undefined} streaming={false} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'one{Shift>}{Enter}{/Shift}two');
    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue('one\ntwo');
    await user.click(screen.getByRole('button', { name: 'Send message' }));
    expect(onSend).toHaveBeenCalledWith('one\ntwo');
  });

  it('does not send blank text', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} onStop={() => undefined} streaming={false} />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send message' })).toBeDisabled();
  });

  it('shows Stop while an answer streams', async () => {
    const user = userEvent.setup();
    const onStop = vi.fn();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} onStop={onStop} streaming />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'next{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Stop the answer' }));
    expect(onStop).toHaveBeenCalledOnce();
  });

  it('counts near the limit and blocks sending over it', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} onStop={() => undefined} streaming={false} maxChars={10} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'abcdefg');
    expect(screen.queryByText(/\/ 10/)).toBeNull();
    await user.type(box, 'hi');
    expect(screen.getByText('9 / 10')).toBeInTheDocument();
    await user.type(box, 'jkl{Enter}');
    expect(screen.getByText('2 characters over the limit of 10')).toBeInTheDocument();
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send message' })).toBeDisabled();
    expect(box).toHaveValue('abcdefghijkl');
    expect(box).toHaveAttribute('aria-invalid', 'true');
  });

  it('Esc stops an answer', async () => {
    const user = userEvent.setup();
    const onStop = vi.fn();
    render(<Composer onSend={vi.fn()} onStop={onStop} streaming />);
    await user.keyboard('{Escape}');
    expect(onStop).toHaveBeenCalledOnce();
  });

  it('takes the focus on a computer, not on a touch screen', () => {
    const { unmount } = render(<Composer onSend={vi.fn()} onStop={vi.fn()} streaming={false} autoFocusKey="a" />);
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveFocus();
    unmount();
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: query === '(pointer: coarse)', addEventListener() {}, removeEventListener() {} }));
    render(<Composer onSend={vi.fn()} onStop={vi.fn()} streaming={false} autoFocusKey="b" />);
    expect(screen.getByRole('textbox', { name: 'Message' })).not.toHaveFocus();
    vi.unstubAllGlobals();
  });
});
