/** The messages of the open chat, oldest first, and the reducer that changes them. */
import type { ActionEvent } from '../api/chatTurn';
import type { Source, StoredMessage } from '../api/types';

export type MessageStatus = 'done' | 'streaming' | 'error' | 'stopped' | 'interrupted' | string;

export interface UiMessage {
  id: string;
  role: string;
  content: string;
  status: MessageStatus;
  createdAt?: string;
  sources?: Source[];
  /** The error shown in place of (or under) a failed answer. */
  error?: string;
  /** What the engine is doing right now ("Searching the web…"). */
  statusLine?: string;
  actions?: ActionEvent[];
  /** A stopped answer now shows the text the server saved (what a reload will show). */
  saved?: boolean;
  /** For an answer: the user text that asked for it, so that a failure can be retried. */
  retryText?: string;
  /** This message and its alternatives (regenerated answers, edited messages), in order. */
  siblingIds?: string[];
  /** 1-based position among `siblingIds`. */
  siblingIndex?: number;
  /** An answer that stopped early and can be continued in place. */
  canContinue?: boolean;
}

export interface ConversationState {
  messages: UiMessage[];
  /** Cursor of the next older page, null when the start of the chat is loaded. */
  olderCursor: string | null;
  loading: boolean;
  loadingOlder: boolean;
  loadError: string | null;
}

export const initialConversation: ConversationState = {
  messages: [],
  olderCursor: null,
  loading: false,
  loadingOlder: false,
  loadError: null,
};

export type ConversationAction =
  | { type: 'reset'; loading: boolean }
  | { type: 'loaded'; messages: UiMessage[]; olderCursor: string | null }
  | { type: 'loadFailed'; error: string }
  | { type: 'olderLoading' }
  | { type: 'olderLoaded'; messages: UiMessage[]; olderCursor: string | null }
  | { type: 'olderFailed'; error: string }
  | { type: 'add'; messages: UiMessage[] }
  | { type: 'patch'; id: string; patch: Partial<UiMessage> }
  | { type: 'append'; id: string; text: string }
  | { type: 'rename'; from: string; to: string }
  | { type: 'remove'; ids: string[] }
  /** Drops `fromId` and everything after it (a branch being replaced), then adds `add`. */
  | { type: 'truncate'; fromId: string; add: UiMessage[] };

const RUNNING_STATUSES = new Set(['streaming', 'pending', 'in_progress', 'generating', 'running']);

export function isRunningStatus(status: string | undefined): boolean {
  return Boolean(status && RUNNING_STATUSES.has(status));
}

/** The API's message statuses (complete, in_progress, interrupted, error) in the page's words. */
export function normaliseStatus(status: string | undefined): MessageStatus {
  switch (status) {
    case undefined:
    case null:
    case '':
    case 'complete':
    case 'completed':
    case 'success':
      return 'done';
    case 'failed':
      return 'error';
    default:
      return status;
  }
}

/** Whether an answer that ended this way can be continued (when the API does not say). */
export function continuable(status: MessageStatus): boolean {
  return status === 'stopped' || status === 'interrupted';
}

export function fromStored(message: StoredMessage): UiMessage {
  const normalised = normaliseStatus(message.status);
  const status = normalised === 'interrupted' && message.stopped ? 'stopped' : normalised;
  const siblingIds = Array.isArray(message.sibling_ids) ? message.sibling_ids.map(String) : undefined;
  const siblingIndex = typeof message.sibling_index === 'number' ? message.sibling_index : siblingIds ? siblingIds.indexOf(String(message.id)) + 1 : undefined;
  return {
    siblingIds: siblingIds && siblingIds.length > 1 ? siblingIds : undefined,
    siblingIndex: siblingIds && siblingIds.length > 1 ? siblingIndex : undefined,
    canContinue: message.role === 'assistant' ? (typeof message.can_continue === 'boolean' ? message.can_continue : continuable(status)) : undefined,
    id: String(message.id),
    role: message.role,
    content: message.content ?? '',
    status,
    createdAt: message.created_at,
    sources: Array.isArray(message.sources) && message.sources.length > 0 ? message.sources : undefined,
    actions: message.actions && message.actions.length > 0 ? message.actions : undefined,
    error: status === 'error' ? message.error ?? 'The answer failed.' : undefined,
  };
}

/** A failed answer loaded from the server can be retried (regenerated): it keeps its question's text. */
export function withRetryTexts(messages: UiMessage[]): UiMessage[] {
  return messages.map((m, i) => {
    const question = messages[i - 1];
    return m.role === 'assistant' && m.status === 'error' && !m.retryText && question?.role === 'user' ? { ...m, retryText: question.content } : m;
  });
}

/** A bubble the server has not named yet (its turn has not started). */
export function isLocalId(id: string): boolean {
  return id.startsWith('local-');
}

function mapOne(messages: UiMessage[], id: string, change: (m: UiMessage) => UiMessage): UiMessage[] {
  const index = messages.findIndex((m) => m.id === id);
  if (index === -1) return messages;
  const next = messages.slice();
  next[index] = change(messages[index]);
  return next;
}

export function conversationReducer(state: ConversationState, action: ConversationAction): ConversationState {
  switch (action.type) {
    case 'reset':
      return { ...initialConversation, loading: action.loading };
    case 'loaded':
      return { ...state, messages: action.messages, olderCursor: action.olderCursor, loading: false, loadError: null };
    case 'loadFailed':
      return { ...state, loading: false, loadError: action.error };
    case 'olderLoading':
      return { ...state, loadingOlder: true };
    case 'olderLoaded': {
      const known = new Set(state.messages.map((m) => m.id));
      const older = action.messages.filter((m) => !known.has(m.id));
      return { ...state, messages: [...older, ...state.messages], olderCursor: action.olderCursor, loadingOlder: false };
    }
    case 'olderFailed':
      return { ...state, loadingOlder: false, loadError: action.error };
    case 'add':
      return { ...state, messages: [...state.messages, ...action.messages] };
    case 'patch':
      return { ...state, messages: mapOne(state.messages, action.id, (m) => ({ ...m, ...action.patch })) };
    case 'append':
      return { ...state, messages: mapOne(state.messages, action.id, (m) => ({ ...m, content: m.content + action.text })) };
    case 'rename':
      if (action.from === action.to) return state;
      return {
        ...state,
        messages: mapOne(
          state.messages.filter((m) => m.id !== action.to),
          action.from,
          (m) => ({ ...m, id: action.to }),
        ),
      };
    case 'remove': {
      const drop = new Set(action.ids);
      return { ...state, messages: state.messages.filter((m) => !drop.has(m.id)) };
    }
    case 'truncate': {
      const index = state.messages.findIndex((m) => m.id === action.fromId);
      const kept = index === -1 ? state.messages : state.messages.slice(0, index);
      return { ...state, messages: [...kept, ...action.add] };
    }
    default:
      return state;
  }
}
