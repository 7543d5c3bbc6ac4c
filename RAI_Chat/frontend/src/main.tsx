import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { configureApi } from './api/http';
import { basePath } from './router';
import { applyTheme } from './settings/useSettings';
import './styles/theme.css';
import './styles/app.css';

// Apply the saved theme before the first paint, so there is no flash of the wrong one.
try {
  const saved = localStorage.getItem('rai.theme');
  applyTheme(saved === 'light' || saved === 'dark' ? saved : 'system');
} catch {
  applyTheme('system');
}

// Behind a proxy under a sub-path, the API is under it too.
configureApi({ baseUrl: basePath() });

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
