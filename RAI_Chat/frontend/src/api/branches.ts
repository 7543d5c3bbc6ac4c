/**
 * A conversation is a tree: an answer can be regenerated, a message edited, a stopped answer
 * continued (all three stream like a chat turn, see chatTurn.ts), the branch shown switched
 * to a sibling, and a branch forked into a new chat.
 */
import { apiRequest } from './http';
import type { ChatSession } from './types';

const enc = encodeURIComponent;

/** The endpoints that answer with the same SSE stream as POST /api/chat/. */
export const BRANCH_PATHS = {
  regenerate: '/api/chat/regenerate',
  edit: '/api/chat/edit',
  continue: '/api/chat/continue',
} as const;

export type BranchKind = keyof typeof BRANCH_PATHS;

/** Shows another sibling (and the branch under it); the caller then reloads the messages. */
export async function switchBranch(sessionId: string, messageId: string): Promise<ChatSession | null> {
  const body = await apiRequest<{ session?: ChatSession }>(`/api/session/${enc(sessionId)}/active`, {
    method: 'PUT',
    body: { message_id: messageId },
  });
  return body.session ?? null;
}

/** A new chat holding the branch from the first message down to `messageId`. */
export async function forkSession(sessionId: string, messageId: string): Promise<ChatSession> {
  const body = await apiRequest<{ session: ChatSession }>(`/api/session/${enc(sessionId)}/fork`, {
    method: 'POST',
    body: { message_id: messageId },
  });
  return body.session;
}
