import { AuthProvider, useAuth } from './auth/AuthContext';
import { LoginPage } from './auth/LoginPage';
import { ChatLayout } from './ChatLayout';
import { useSettings } from './settings/useSettings';
import { ToastProvider } from './ui/Toasts';

function Screens() {
  const { user, signOut, signOutEverywhere, changePassword } = useAuth();
  const settings = useSettings();
  if (!user) return <LoginPage />;
  return (
    <ChatLayout
      key={user.id}
      user={user}
      onLogout={() => void signOut()}
      account={{ changePassword, signOutEverywhere }}
      theme={settings.theme}
      onThemeChange={settings.setTheme}
      model={settings.model}
      onModelChange={settings.setModel}
    />
  );
}

export function App() {
  return (
    <ToastProvider>
      <AuthProvider>
        <Screens />
      </AuthProvider>
    </ToastProvider>
  );
}
