import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiKey } from '../api/apiKeys';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { ApiKeys } from './ApiKeys';

afterEach(() => vi.unstubAllGlobals());

function key(over: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 'k1',
    name: 'laptop',
    prefix: 'rai-AbCdEfGh',
    rate_limit: null,
    created_at: '2026-11-01T10:00:00+00:00',
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    active: true,
    ...over,
  };
}

const usage = {
  status: 'success',
  usage: { requests: 2, prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
  by_key: [{ key_id: 'k1', key_name: 'laptop', key_prefix: 'rai-AbCdEfGh', requests: 2, prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 }],
};

describe('<ApiKeys>', () => {
  it('lists the keys with their usage and never a secret', async () => {
    installFetch({
      'GET /api/keys/': () => jsonResponse({ status: 'success', keys: [key(), key({ id: 'k2', name: 'old', active: false, revoked_at: '2026-11-02T10:00:00+00:00' })] }),
      'GET /api/keys/usage': () => jsonResponse(usage),
    });
    render(<ApiKeys open />);
    const list = await screen.findByRole('list', { name: 'Your API keys' });
    const items = within(list).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('laptop');
    expect(items[0]).toHaveTextContent('rai-AbCdEfGh…');
    expect(items[0]).toHaveTextContent('42 tokens');
    expect(items[1]).toHaveTextContent(/revoked/);
    expect(within(items[1]).queryByRole('button', { name: /Revoke/ })).toBeNull();
    expect(screen.getByLabelText('Token usage')).toHaveTextContent('30 prompt + 12 answer tokens in 2 answers');
  });

  it('creates a key with an expiry and shows its secret once', async () => {
    const user = userEvent.setup();
    const made = key({ id: 'k9', name: 'editor', expires_at: '2026-12-01T10:00:00+00:00' });
    const fetchMock = installFetch({
      'GET /api/keys/': [() => jsonResponse({ status: 'success', keys: [] }), () => jsonResponse({ status: 'success', keys: [made] })],
      'GET /api/keys/usage': () => jsonResponse({ ...usage, by_key: [] }),
      'POST /api/keys/': () => jsonResponse({ status: 'success', key: made, secret: 'rai-secret-shown-once' }, 201),
    });
    render(<ApiKeys open />);
    expect(await screen.findByText('No keys yet.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Name of a new key'), 'editor');
    await user.selectOptions(screen.getByLabelText('Expires'), '30');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByLabelText('New API key')).toHaveTextContent('rai-secret-shown-once');
    const post = fetchMock.mock.calls.find(([, init]) => (init as RequestInit | undefined)?.method === 'POST');
    expect(JSON.parse(String((post?.[1] as RequestInit).body))).toEqual({ name: 'editor', expires_in_days: 30 });
    expect(await screen.findByRole('list', { name: 'Your API keys' })).toHaveTextContent('editor');
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('New API key')).toBeNull();
  });

  it('revokes a key', async () => {
    const user = userEvent.setup();
    const fetchMock = installFetch({
      'GET /api/keys/': [
        () => jsonResponse({ status: 'success', keys: [key()] }),
        () => jsonResponse({ status: 'success', keys: [key({ active: false, revoked_at: '2026-11-30T10:00:00+00:00' })] }),
      ],
      'GET /api/keys/usage': () => jsonResponse(usage),
      'DELETE /api/keys/k1': () => jsonResponse({ status: 'success', key: key({ active: false }) }),
    });
    render(<ApiKeys open />);
    await user.click(await screen.findByRole('button', { name: 'Revoke laptop' }));
    expect(await screen.findByText(/revoked/)).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([url, init]) => String(url).endsWith('/api/keys/k1') && (init as RequestInit).method === 'DELETE')).toBe(true);
  });

  it('says what went wrong', async () => {
    installFetch({
      'GET /api/keys/': () => jsonResponse({ status: 'error', error: 'The database is unavailable; retry in a few seconds' }, 503),
      'GET /api/keys/usage': () => jsonResponse(usage),
    });
    render(<ApiKeys open />);
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable');
  });
});
