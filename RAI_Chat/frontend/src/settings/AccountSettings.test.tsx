import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as authApi from '../api/auth';
import { configureApi } from '../api/http';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { AccountSettings } from './AccountSettings';

afterEach(() => vi.unstubAllGlobals());

async function fill(current: string, next: string, repeat = next) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Current password'), current);
  await user.type(screen.getByLabelText('New password'), next);
  await user.type(screen.getByLabelText('Repeat the new password'), repeat);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('<AccountSettings>', () => {
  it('changes the password through the API and says so', async () => {
    const fetchMock = installFetch({
      'POST /api/auth/password': () => jsonResponse({ status: 'success', access_token: 'new', expires_in: 60, user: { id: 'u', username: 'me' } }),
    });
    const changePassword = vi.fn((a: string, b: string) => authApi.changePassword(a, b).then(() => undefined));
    render(<AccountSettings changePassword={changePassword} signOutEverywhere={vi.fn()} />);
    await fill('old password', 'new password 2');
    expect(await screen.findByRole('status')).toHaveTextContent('Password changed');
    const [, init] = fetchMock.mock.calls[0];
    expect(JSON.parse(String(init?.body))).toEqual({ old_password: 'old password', new_password: 'new password 2' });
    expect(screen.getByLabelText('Current password')).toHaveValue('');
  });

  it('a wrong current password is an error in the form, not a sign-out', async () => {
    const onUnauthorized = vi.fn();
    configureApi({ getToken: () => 'token', onUnauthorized });
    installFetch({ 'POST /api/auth/password': () => jsonResponse({ status: 'error', error: 'Invalid username or password' }, 401) });
    render(<AccountSettings changePassword={(a, b) => authApi.changePassword(a, b).then(() => undefined)} signOutEverywhere={vi.fn()} />);
    await fill('wrong', 'new password 2');
    expect(await screen.findByRole('alert')).toHaveTextContent('The current password is not right.');
    expect(onUnauthorized).not.toHaveBeenCalled();
    configureApi({ getToken: () => null, onUnauthorized: () => undefined });
  });

  it('checks the new password before asking the server', async () => {
    const changePassword = vi.fn();
    render(<AccountSettings changePassword={changePassword} signOutEverywhere={vi.fn()} />);
    await fill('old password', 'new password 2', 'new password 3');
    expect(screen.getByRole('alert')).toHaveTextContent('not the same');
    expect(changePassword).not.toHaveBeenCalled();
  });

  it('signs out everywhere', async () => {
    const signOutEverywhere = vi.fn(async () => undefined);
    render(<AccountSettings changePassword={vi.fn()} signOutEverywhere={signOutEverywhere} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    expect(signOutEverywhere).toHaveBeenCalledOnce();
  });
});
