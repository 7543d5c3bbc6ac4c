import { describe, expect, it } from 'vitest';
import type { ActionEvent, StoredMessage } from '../api/types';
import { fromStored } from './conversationState';

/** A stored answer as the API gives it. */
const STORED: StoredMessage = { id: 'a', session_id: 's1', role: 'assistant', content: '', status: 'complete', created_at: '2026-01-01T00:00:00Z' };

describe('fromStored', () => {
  it('an answer the user stopped reads Stopped after a reload, another interruption does not', () => {
    expect(fromStored({ ...STORED, id: 'a', content: 'Once', status: 'interrupted', stopped: true }).status).toBe('stopped');
    expect(fromStored({ ...STORED, id: 'b', content: 'Once', status: 'interrupted', stopped: false }).status).toBe('interrupted');
  });

  it('keeps the actions stored with the answer', () => {
    const remembered: ActionEvent = { type: 'action', action: 'remember', input: ['likes tea'], outcome: 'ok', detail: 'remembered' };
    const message = fromStored({ ...STORED, id: 'a', content: 'Noted.', actions: [remembered] });
    expect(message.actions).toEqual([remembered]);
    expect(fromStored({ ...STORED, id: 'b', content: 'x', actions: [] }).actions).toBeUndefined();
  });
});
