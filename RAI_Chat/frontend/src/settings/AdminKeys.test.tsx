import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiKey } from '../api/apiKeys';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { AdminKeys } from './AdminKeys';

afterEach(() => vi.unstubAllGlobals());

const bobs: ApiKey = {
  id: 'kb',
  user_id: 'ub',
  username: 'bob',
  name: 'plugin',
  prefix: 'rai-BobBobBo',
  rate_limit: null,
  created_at: '2026-11-01T10:00:00+00:00',
  expires_at: null,
  last_used_at: null,
  revoked_at: null,
  active: true,
};

const usage = {
  status: 'success',
  users: [{ user_id: 'ub', username: 'bob', requests: 3, prompt_tokens: 20, completion_tokens: 10, total_tokens: 30, by_key: [] }],
};

describe('<AdminKeys>', () => {
  it("shows every user's usage and revokes another user's key", async () => {
    const user = userEvent.setup();
    const fetchMock = installFetch({
      'GET /api/admin/keys': [() => jsonResponse({ status: 'success', keys: [bobs] }), () => jsonResponse({ status: 'success', keys: [{ ...bobs, active: false }] })],
      'GET /api/admin/usage': () => jsonResponse(usage),
      'DELETE /api/keys/kb': () => jsonResponse({ status: 'success', key: { ...bobs, active: false } }),
    });
    render(<AdminKeys open />);
    expect(await screen.findByRole('list', { name: 'Usage by user' })).toHaveTextContent('bob30 tokens in 3 answers');
    const keys = screen.getByRole('list', { name: 'Active API keys of every user' });
    await user.click(within(keys).getByRole('button', { name: "Revoke bob's key plugin" }));
    expect(await screen.findByText('No active keys.')).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([url, init]) => String(url).endsWith('/api/keys/kb') && (init as RequestInit).method === 'DELETE')).toBe(true);
  });
});
