/**
 * The answer being streamed, kept in sessionStorage so that a refresh of the tab resumes it
 * (GET /api/chat/stream/<assistant_message_id> with Last-Event-ID) instead of losing it.
 * `content` and `lastEventId` are always written together, so they agree.
 */
export interface InflightTurn {
  sessionId: string;
  assistantMessageId: string;
  userMessageId?: string;
  lastEventId?: string;
  content: string;
  userText?: string;
  savedAt: number;
}

const KEY = 'rai.inflight';
const ACTIVE_SESSION_KEY = 'rai.activeSession';
/** Older than this, a stored turn is not worth resuming. */
const MAX_AGE_MS = 60 * 60 * 1000;

export function saveInflight(turn: Omit<InflightTurn, 'savedAt'>): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ ...turn, savedAt: Date.now() }));
  } catch {
    /* storage full or blocked: resuming after a refresh is then not possible */
  }
}

export function loadInflight(now = Date.now()): InflightTurn | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const turn = JSON.parse(raw) as InflightTurn;
    if (!turn.sessionId || !turn.assistantMessageId || now - (turn.savedAt ?? 0) > MAX_AGE_MS) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return { ...turn, content: turn.content ?? '' };
  } catch {
    return null;
  }
}

export function clearInflight(assistantMessageId?: string): void {
  try {
    if (assistantMessageId) {
      const current = loadInflight();
      if (current && current.assistantMessageId !== assistantMessageId) return;
    }
    sessionStorage.removeItem(KEY);
  } catch {
    /* ignore */
  }
}

export function saveActiveSession(sessionId: string | null): void {
  try {
    if (sessionId) sessionStorage.setItem(ACTIVE_SESSION_KEY, sessionId);
    else sessionStorage.removeItem(ACTIVE_SESSION_KEY);
  } catch {
    /* ignore */
  }
}

export function loadActiveSession(): string | null {
  try {
    return loadInflight()?.sessionId ?? sessionStorage.getItem(ACTIVE_SESSION_KEY);
  } catch {
    return null;
  }
}

export function clearPerUserState(): void {
  try {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ACTIVE_SESSION_KEY);
  } catch {
    /* ignore */
  }
}
