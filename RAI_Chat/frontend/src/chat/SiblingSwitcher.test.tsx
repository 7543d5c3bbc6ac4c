import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SiblingSwitcher } from './SiblingSwitcher';

describe('<SiblingSwitcher>', () => {
  it('shows the position and switches to the neighbours', async () => {
    const user = userEvent.setup();
    const onSwitch = vi.fn();
    render(<SiblingSwitcher siblingIds={['a', 'b', 'c']} index={2} onSwitch={onSwitch} noun="answer" />);
    expect(screen.getByRole('group', { name: 'Versions of this answer' })).toHaveTextContent('‹2/3Version 2 of 3›');
    await user.click(screen.getByRole('button', { name: 'Previous version of this answer' }));
    await user.click(screen.getByRole('button', { name: 'Next version of this answer' }));
    expect(onSwitch.mock.calls).toEqual([['a'], ['c']]);
  });

  it('has no previous at the first version, no next at the last, nothing while busy', () => {
    const { rerender } = render(<SiblingSwitcher siblingIds={['a', 'b']} index={1} onSwitch={vi.fn()} noun="message" />);
    expect(screen.getByRole('button', { name: 'Previous version of this message' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Next version of this message' })).toBeEnabled();
    rerender(<SiblingSwitcher siblingIds={['a', 'b']} index={2} onSwitch={vi.fn()} noun="message" />);
    expect(screen.getByRole('button', { name: 'Next version of this message' })).toBeDisabled();
    rerender(<SiblingSwitcher siblingIds={['a', 'b']} index={2} onSwitch={vi.fn()} noun="message" disabled />);
    expect(screen.getByRole('button', { name: 'Previous version of this message' })).toBeDisabled();
  });

  it('is not shown for a message with one version', () => {
    const { container } = render(<SiblingSwitcher siblingIds={['a']} index={1} onSwitch={vi.fn()} noun="answer" />);
    expect(container).toBeEmptyDOMElement();
  });
});
