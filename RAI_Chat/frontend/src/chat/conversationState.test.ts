import { describe, expect, it } from 'vitest';
import { fromStored } from './conversationState';

describe('fromStored', () => {
  it('an answer the user stopped reads Stopped after a reload, another interruption does not', () => {
    expect(fromStored({ id: 'a', role: 'assistant', content: 'Once', status: 'interrupted', stopped: true }).status).toBe('stopped');
    expect(fromStored({ id: 'b', role: 'assistant', content: 'Once', status: 'interrupted', stopped: false }).status).toBe('interrupted');
  });

  it('keeps the actions stored with the answer', () => {
    const message = fromStored({ id: 'a', role: 'assistant', content: 'Noted.', status: 'complete', actions: [{ action: 'remember', input: ['likes tea'], outcome: 'ok' }] });
    expect(message.actions).toEqual([{ type: 'action', action: 'remember', input: ['likes tea'], outcome: 'ok' }]);
    expect(fromStored({ id: 'b', role: 'assistant', content: 'x', actions: [] }).actions).toBeUndefined();
  });
});
