import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { SettingsPanel } from './SettingsPanel';

afterEach(() => vi.unstubAllGlobals());

const NO_KEYS = {
  'GET /api/keys/': () => jsonResponse({ status: 'success', keys: [] }),
  'GET /api/keys/usage': () => jsonResponse({ status: 'success', usage: { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, by_key: [] }),
};

/** The API keys section has loaded (no state changes after the test). */
async function keysLoaded() {
  expect(await screen.findByText('No keys yet.')).toBeInTheDocument();
}

function renderPanel(onModelChange = vi.fn(), onThemeChange = vi.fn()) {
  render(
    <SettingsPanel open onClose={() => undefined} theme="system" onThemeChange={onThemeChange} model={null} onModelChange={onModelChange} sessionId={null} onImported={() => undefined} />,
  );
  return { onModelChange, onThemeChange };
}

describe('<SettingsPanel>', () => {
  it('offers the engine chat models, not its embedding model', async () => {
    const user = userEvent.setup();
    installFetch({
      ...NO_KEYS,
      'GET /api/chat/models': () =>
        jsonResponse({ status: 'success', models: [{ id: 'qwen2.5-coder-0.5b-instruct', owned_by: 'llama' }, { id: 'all-MiniLM-L6-v2', owned_by: 'minilm' }] }),
    });
    const { onModelChange } = renderPanel();
    const select = await screen.findByLabelText('Model used for new messages');
    expect(Array.from((select as HTMLSelectElement).options).map((o) => o.value)).toEqual(['', 'qwen2.5-coder-0.5b-instruct']);
    await user.selectOptions(select, 'qwen2.5-coder-0.5b-instruct');
    expect(onModelChange).toHaveBeenCalledWith('qwen2.5-coder-0.5b-instruct');
    await keysLoaded();
  });

  it('hides the model choice when the API lists no models', async () => {
    installFetch({ ...NO_KEYS, 'GET /api/chat/models': () => jsonResponse({ status: 'error', error: 'Not found' }, 404) });
    const { onThemeChange } = renderPanel();
    await userEvent.setup().click(screen.getByLabelText('Dark'));
    expect(onThemeChange).toHaveBeenCalledWith('dark');
    expect(screen.queryByLabelText('Model used for new messages')).toBeNull();
    await keysLoaded();
  });

  it('disables export until a chat is open', async () => {
    installFetch({ ...NO_KEYS, 'GET /api/chat/models': () => jsonResponse({ status: 'success', models: [] }) });
    renderPanel();
    expect(screen.getByRole('button', { name: /Export chat \(JSON\)/ })).toBeDisabled();
    expect(screen.getByRole('button', { name: /Import chat/ })).toBeEnabled();
    await keysLoaded();
  });
});

describe('<SettingsPanel> for an administrator', () => {
  it("adds every user's keys and usage", async () => {
    installFetch({
      ...NO_KEYS,
      'GET /api/chat/models': () => jsonResponse({ status: 'success', models: [] }),
      'GET /api/admin/keys': () => jsonResponse({ status: 'success', keys: [] }),
      'GET /api/admin/usage': () => jsonResponse({ status: 'success', users: [] }),
    });
    render(<SettingsPanel open onClose={() => undefined} theme="system" onThemeChange={vi.fn()} model={null} onModelChange={vi.fn()} sessionId={null} onImported={() => undefined} isAdmin />);
    expect(await screen.findByText('No active keys.')).toBeInTheDocument();
    expect(screen.getByText('No usage yet.')).toBeInTheDocument();
    await keysLoaded();
  });

  it('is not shown to other users', async () => {
    installFetch({ ...NO_KEYS, 'GET /api/chat/models': () => jsonResponse({ status: 'success', models: [] }) });
    renderPanel();
    await keysLoaded();
    expect(screen.queryByText('Every user (administrator)')).toBeNull();
  });
});
