import { useState, type FormEvent } from 'react';

export interface AccountActions {
  changePassword: (oldPassword: string, newPassword: string) => Promise<void>;
  signOutEverywhere: () => Promise<void>;
}

const MIN_PASSWORD_LENGTH = 8;

function messageOf(err: unknown): string {
  if (err && typeof err === 'object' && 'status' in err && (err as { status: number }).status === 401) {
    return 'The current password is not right.';
  }
  return err instanceof Error ? err.message : 'Something went wrong. Try again.';
}

/** Change the password (the other devices are signed out, this one stays) and sign out everywhere. */
export function AccountSettings({ changePassword, signOutEverywhere }: AccountActions) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (next.length < MIN_PASSWORD_LENGTH) return setError(`The new password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
    if (next !== repeat) return setError('The two new passwords are not the same.');
    setBusy(true);
    setError(null);
    try {
      await changePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const everywhere = async () => {
    setBusy(true);
    setError(null);
    try {
      await signOutEverywhere();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="account-heading">
      <h3 id="account-heading">Account</h3>
      <form onSubmit={(e) => void submit(e)} className="password-form">
        <label htmlFor="current-password" className="field-label">
          Current password
        </label>
        <input id="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        <label htmlFor="new-password" className="field-label">
          New password
        </label>
        <input id="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        <label htmlFor="repeat-new-password" className="field-label">
          Repeat the new password
        </label>
        <input id="repeat-new-password" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={busy || !current || !next || !repeat}>
            Change password
          </button>
        </div>
      </form>
      {done && (
        <p role="status" className="muted">
          Password changed. Your other devices are signed out.
        </p>
      )}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      <p className="muted">Signed in on a device you no longer use? Sign out everywhere, this device too.</p>
      <div className="button-row">
        <button type="button" className="button button-danger-outline" disabled={busy} onClick={() => void everywhere()}>
          Sign out everywhere
        </button>
      </div>
    </section>
  );
}
