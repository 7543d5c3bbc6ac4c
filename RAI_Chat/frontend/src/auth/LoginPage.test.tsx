import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { installFetch, jsonResponse } from '../test/fakeServer';

afterEach(() => vi.unstubAllGlobals());

const user = { id: 'u1', username: 'ada' };
const emptyLists = {
  'GET /api/session/': () => jsonResponse({ status: 'success', sessions: [], next_cursor: null }),
};

describe('login and registration', () => {
  it('shows the API error for wrong credentials', async () => {
    const u = userEvent.setup();
    installFetch({ 'POST /api/auth/login': () => jsonResponse({ status: 'error', error: 'Invalid username or password' }, 401) });
    render(<App />);
    await u.type(screen.getByLabelText('Username'), 'ada');
    await u.type(screen.getByLabelText('Password'), 'wrong');
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
  });

  it('asks for both fields', async () => {
    const u = userEvent.setup();
    render(<App />);
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Enter a username and a password.');
  });

  it('registers, shows a taken name, then signs in and out', async () => {
    const u = userEvent.setup();
    installFetch({
      'POST /api/auth/register': [
        () => jsonResponse({ status: 'error', error: 'Username already taken' }, 400),
        () => jsonResponse({ status: 'success', user, access_token: 'tok' }, 201),
      ],
      ...emptyLists,
    });
    render(<App />);
    await u.click(screen.getByRole('button', { name: 'Create an account' }));
    await u.type(screen.getByLabelText('Username'), 'ada');
    await u.type(screen.getByLabelText('Password'), 'secret-pass');
    await u.type(screen.getByLabelText('Repeat the password'), 'secret-pass');
    await u.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Username already taken');
    await u.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('button', { name: 'Log out' })).toBeInTheDocument();
    expect(sessionStorage.getItem('rai.auth')).toContain('tok');
    await u.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(sessionStorage.getItem('rai.auth')).toBeNull();
  });

  it('checks that the two passwords match', async () => {
    const u = userEvent.setup();
    render(<App />);
    await u.click(screen.getByRole('button', { name: 'Create an account' }));
    await u.type(screen.getByLabelText('Username'), 'ada');
    await u.type(screen.getByLabelText('Password'), 'one');
    await u.type(screen.getByLabelText('Repeat the password'), 'two');
    await u.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('not the same');
  });

  it('sends the user back to login with a message when the API answers 401', async () => {
    sessionStorage.setItem('rai.auth', JSON.stringify({ token: 'stale', user, expiresAt: null }));
    installFetch({ 'GET /api/session/': () => jsonResponse({ status: 'error', error: 'Token has expired' }, 401) });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText('Your session has expired. Please sign in again.')).toBeInTheDocument();
    await waitFor(() => expect(sessionStorage.getItem('rai.auth')).toBeNull());
  });

  it('does not use a token that has already expired', async () => {
    sessionStorage.setItem('rai.auth', JSON.stringify({ token: 'old', user, expiresAt: Date.now() - 10_000 }));
    const fetchMock = installFetch({});
    render(<App />);
    expect(await screen.findByText('Your session has expired. Please sign in again.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
