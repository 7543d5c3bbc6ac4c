/** The user's page settings, kept in localStorage: theme and model. */
import { useCallback, useEffect, useState } from 'react';

export type Theme = 'system' | 'light' | 'dark';

const THEME_KEY = 'rai.theme';
const MODEL_KEY = 'rai.model';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage blocked: the setting lasts until the page closes */
  }
}

export function resolveTheme(theme: Theme): 'light' | 'dark' {
  if (theme !== 'system') return theme;
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = resolveTheme(theme);
}

export function useSettings() {
  const [theme, setThemeState] = useState<Theme>(() => {
    const saved = read(THEME_KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  });
  const [model, setModelState] = useState<string | null>(() => read(MODEL_KEY));

  useEffect(() => {
    applyTheme(theme);
    if (theme !== 'system' || typeof window.matchMedia !== 'function') return;
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => applyTheme('system');
    media.addEventListener?.('change', onChange);
    return () => media.removeEventListener?.('change', onChange);
  }, [theme]);

  const setTheme = useCallback((next: Theme) => {
    write(THEME_KEY, next === 'system' ? null : next);
    setThemeState(next);
  }, []);

  const setModel = useCallback((next: string | null) => {
    write(MODEL_KEY, next);
    setModelState(next);
  }, []);

  return { theme, setTheme, model, setModel };
}
