import { useState, type FormEvent } from 'react';
import { useAuth } from './AuthContext';

type Mode = 'login' | 'register';

/** Sign in or create an account. Errors from the API are shown as they come. */
export function LoginPage() {
  const { login, register, notice } = useAuth();
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const switchMode = (next: Mode) => {
    setMode(next);
    setError(null);
    setConfirm('');
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = username.trim();
    if (!name || !password) {
      setError('Enter a username and a password.');
      return;
    }
    if (mode === 'register' && password !== confirm) {
      setError('The two passwords are not the same.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await login(name, password, remember);
      else await register(name, password, remember);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const status = (err as { status?: number }).status;
      setError(mode === 'login' && status === 401 ? 'Wrong username or password.' : message);
      setBusy(false);
    }
  };

  const isLogin = mode === 'login';
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">R</span>
          <span className="brand-name">RAI Chat</span>
        </div>
        <h1>{isLogin ? 'Sign in' : 'Create an account'}</h1>
        {notice && (
          <p className="auth-notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate aria-describedby={error ? 'auth-error' : undefined}>
          <label className="field-label" htmlFor="username">
            Username
          </label>
          <input id="username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} required aria-invalid={Boolean(error)} autoFocus />
          <label className="field-label" htmlFor="password">
            Password
          </label>
          <input id="password" name="password" type="password" autoComplete={isLogin ? 'current-password' : 'new-password'} value={password} onChange={(e) => setPassword(e.target.value)} required aria-invalid={Boolean(error)} />
          {!isLogin && (
            <>
              <label className="field-label" htmlFor="confirm-password">
                Repeat the password
              </label>
              <input id="confirm-password" name="confirm-password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
            </>
          )}
          <label className="checkbox">
            <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
            Keep me signed in on this device
          </label>
          {error && (
            <p id="auth-error" className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? (isLogin ? 'Signing in…' : 'Creating the account…') : isLogin ? 'Sign in' : 'Create account'}
          </button>
        </form>
        <p className="auth-switch">
          {isLogin ? 'New here?' : 'Already have an account?'}{' '}
          <button type="button" className="link-button" onClick={() => switchMode(isLogin ? 'register' : 'login')}>
            {isLogin ? 'Create an account' : 'Sign in'}
          </button>
        </p>
      </div>
    </main>
  );
}
