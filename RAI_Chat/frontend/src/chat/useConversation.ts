/**
 * The open chat: loads its messages (newest page first, older pages on demand), sends a
 * message and streams the answer, stops it, retries a failed one, and resumes an answer that
 * was streaming when the page was refreshed or the connection dropped. Messages form a tree:
 * an answer can be regenerated, a message edited, a stopped answer continued (streamed like a
 * turn, and resumed the same way), another sibling shown, and a branch forked into a new chat.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { BRANCH_PATHS, forkSession, switchBranch, type BranchKind } from '../api/branches';
import { stopTurn } from '../api/chat';
import { runChatTurn, type ActionEvent, type BranchRequest, type ChatEvent, type ChatRequest, type TurnCursor } from '../api/chatTurn';
import { describeAction } from './describeAction';
import { ApiError } from '../api/http';
import { fetchSessionMessages } from '../api/sessions';
import { clearInflight, loadInflight, saveInflight } from './inflightStore';
import type { ChatSession } from '../api/types';
import { conversationReducer, fromStored, initialConversation, isLocalId, isRunningStatus, withRetryTexts, type UiMessage } from './conversationState';

const PAGE_SIZE = 50;
/** A chat id that is not one of the user's (deleted, mistyped, another account's). */
export const CHAT_NOT_FOUND_MESSAGE = 'Chat not found. It may have been deleted, or the link is not for this account.';
const FLUSH_MS = 40;

interface LiveTurn {
  controller: AbortController;
  cursor: TurnCursor;
  /** The id of the answer's bubble (a local id until the server names it). */
  bubbleId: string;
  userBubbleId: string | null;
  content: string;
  pending: string;
  flushTimer: ReturnType<typeof setTimeout> | null;
  stoppedByUser: boolean;
  userText?: string;
  actions: ActionEvent[];
  /** A new message ('chat'), or a turn on a saved one (regenerate, edit, continue). */
  kind?: 'chat' | BranchKind;
  /** The server answered with a first event. */
  started?: boolean;
  /** The messages before a branch turn changed them: put back if it is refused. */
  snapshot?: { messages: UiMessage[]; olderCursor: string | null };
}

export interface UseConversationOptions {
  sessionId: string | null;
  model?: string | null;
  /** A first message created a session: the page should now show it as the open one. */
  onSessionStarted?: (sessionId: string) => void;
  /** An answer finished (the session's title or order in the list may have changed). */
  onTurnFinished?: (sessionId: string) => void;
  /** A message that was sent failed: its text, to put back in the box. */
  onTurnFailed?: (text: string) => void;
  /** The documents to attach to the session that a first message creates (sent as `document_ids`). */
  documentIdsForNewChat?: () => string[];
  /** A branch was forked into this new chat: the page should open it. */
  onForked?: (session: ChatSession) => void;
}

/** Whether sending the same message again can succeed: not when the server refused it
 *  (too long, invalid, not found), yes for a busy chat, a rate limit, the network, the engine. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  const { status } = err;
  return status === 0 || status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

let localCounter = 0;
const localId = (prefix: string) => `local-${prefix}-${Date.now().toString(36)}-${++localCounter}`;

export function useConversation({ sessionId, model, onSessionStarted, onTurnFinished, onTurnFailed, onForked, documentIdsForNewChat }: UseConversationOptions) {
  const [state, dispatch] = useReducer(conversationReducer, initialConversation);
  const newChatDocumentIds = useRef(documentIdsForNewChat);
  newChatDocumentIds.current = documentIdsForNewChat;
  const stateRef = useRef(state);
  stateRef.current = state;
  /** Why the last branch operation (regenerate, edit, continue, switch, fork) was refused. */
  const [notice, setNotice] = useState<string | null>(null);
  /** A switch or fork request is on its way. */
  const [pending, setPending] = useState(false);
  const turnRef = useRef<LiveTurn | null>(null);
  /** The session that our own live turn created: switching to it must not reload the chat. */
  const ownSessionRef = useRef<string | null>(null);
  const sessionRef = useRef(sessionId);
  sessionRef.current = sessionId;
  const callbacks = useRef({ onSessionStarted, onTurnFinished, onTurnFailed, onForked });
  callbacks.current = { onSessionStarted, onTurnFinished, onTurnFailed, onForked };
  const [, forceRender] = useReducer((n: number) => n + 1, 0);
  const pendingStop = useRef<Promise<unknown>>(Promise.resolve());

  const persist = useCallback((turn: LiveTurn) => {
    const { sessionId: sid, assistantMessageId, userMessageId, lastEventId } = turn.cursor;
    if (!sid || !assistantMessageId || turn.stoppedByUser) return;
    saveInflight({ sessionId: sid, assistantMessageId, userMessageId, lastEventId, content: turn.content, userText: turn.userText });
  }, []);

  const flush = useCallback(
    (turn: LiveTurn) => {
      if (turn.flushTimer) clearTimeout(turn.flushTimer);
      turn.flushTimer = null;
      if (turn.pending) {
        dispatch({ type: 'append', id: turn.bubbleId, text: turn.pending });
        turn.pending = '';
      }
      persist(turn);
    },
    [persist],
  );

  const reload = useCallback(async (sid: string, signal?: AbortSignal) => {
    try {
      const page = await fetchSessionMessages(sid, { limit: PAGE_SIZE, signal });
      if (signal?.aborted) return null;
      const messages = withRetryTexts(page.items.map(fromStored).reverse());
      return { messages, olderCursor: page.nextCursor };
    } catch (err) {
      if (signal?.aborted) return null;
      const notFound = err instanceof ApiError && err.status === 404;
      dispatch({ type: 'loadFailed', error: notFound ? CHAT_NOT_FOUND_MESSAGE : err instanceof Error ? err.message : String(err) });
      return null;
    }
  }, []);

  const runTurn = useCallback(
    async (turn: LiveTurn, request?: ChatRequest | BranchRequest, path?: string) => {
      turnRef.current = turn;
      forceRender();
      const isCurrent = () => turnRef.current === turn;
      // Only a new message goes back to the box when it fails: an edit or a regenerate is saved.
      const isNewMessage = (turn.kind ?? 'chat') === 'chat';
      const onEvent = (event: ChatEvent, cursor: TurnCursor) => {
        turn.started = true;
        if (turn.stoppedByUser) {
          // Stop was pressed before the server named the turn: stop it as soon as it does.
          if (event.type === 'session' && event.session_id) {
            stopTurn(event.session_id).catch(() => undefined);
            turn.controller.abort();
          }
          return;
        }
        if (!isCurrent()) return;
        turn.cursor = cursor;
        switch (event.type) {
          case 'session': {
            if (event.assistant_message_id && turn.bubbleId !== event.assistant_message_id) {
              dispatch({ type: 'rename', from: turn.bubbleId, to: event.assistant_message_id });
              turn.bubbleId = event.assistant_message_id;
            }
            if (event.user_message_id && turn.userBubbleId && turn.userBubbleId !== event.user_message_id) {
              dispatch({ type: 'rename', from: turn.userBubbleId, to: event.user_message_id });
              turn.userBubbleId = event.user_message_id;
            }
            if (event.session_id && !sessionRef.current) {
              ownSessionRef.current = event.session_id;
              callbacks.current.onSessionStarted?.(event.session_id);
            }
            persist(turn);
            break;
          }
          case 'status':
            dispatch({ type: 'patch', id: turn.bubbleId, patch: { statusLine: event.message } });
            break;
          case 'action': {
            turn.actions = [...turn.actions, event];
            dispatch({ type: 'patch', id: turn.bubbleId, patch: { actions: turn.actions, statusLine: describeAction(event) } });
            break;
          }
          case 'token':
            turn.content += event.content;
            turn.pending += event.content;
            if (!turn.flushTimer) turn.flushTimer = setTimeout(() => flush(turn), FLUSH_MS);
            break;
          case 'done': {
            flush(turn);
            const finalText = typeof event.response === 'string' && event.response.length > 0 ? event.response : turn.content;
            dispatch({
              type: 'patch',
              id: turn.bubbleId,
              patch: {
                content: finalText,
                status: event.status === 'interrupted' ? 'interrupted' : 'done',
                statusLine: undefined,
                sources: Array.isArray(event.sources) ? event.sources : undefined,
                error: undefined,
                canContinue: event.status === 'interrupted',
              },
            });
            break;
          }
          case 'error':
            flush(turn);
            dispatch({ type: 'patch', id: turn.bubbleId, patch: { status: 'error', error: event.error, statusLine: undefined } });
            if (request && isNewMessage && turn.userText) callbacks.current.onTurnFailed?.(turn.userText);
            break;
        }
      };

      let outcome: Awaited<ReturnType<typeof runChatTurn>> | 'failed' = 'failed';
      try {
        // A turn stopped a moment ago must be over server-side before the next one starts.
        if (request) await pendingStop.current;
        outcome = await runChatTurn({ request, path, cursor: turn.cursor, signal: turn.controller.signal, onEvent });
      } catch (err) {
        if (isCurrent()) {
          flush(turn);
          const message = err instanceof Error ? err.message : String(err);
          if (turn.snapshot && !turn.started) {
            // Refused before it began (a turn is running, the message is gone): nothing changed.
            dispatch({ type: 'loaded', ...turn.snapshot });
            if (!(err instanceof ApiError && err.status === 401)) setNotice(message);
          } else if (!(err instanceof ApiError && err.status === 401)) {
            const retryText = isRetryable(err) ? turn.userText : undefined;
            dispatch({ type: 'patch', id: turn.bubbleId, patch: { status: 'error', error: message, statusLine: undefined, retryText } });
            if (request && isNewMessage && turn.userText) callbacks.current.onTurnFailed?.(turn.userText);
          }
        }
      }
      if (turn.flushTimer) clearTimeout(turn.flushTimer);
      if (!isCurrent()) return;
      turnRef.current = null;
      forceRender();
      const sid = turn.cursor.sessionId;
      if (outcome === 'aborted' && !turn.stoppedByUser) return; // left the chat: the turn goes on server-side
      clearInflight(turn.cursor.assistantMessageId);
      const branchDone = !isNewMessage && turn.started && (outcome === 'done' || outcome === 'error');
      if ((outcome === 'gone' || branchDone) && sid && sid === sessionRef.current) {
        // The server no longer buffers this turn, or a branch changed: show what it saved
        // (with the siblings' versions).
        const fresh = await reload(sid);
        if (fresh && sid === sessionRef.current && !turnRef.current) dispatch({ type: 'loaded', ...fresh });
      }
      if (sid) callbacks.current.onTurnFinished?.(sid);
    },
    [flush, persist, reload],
  );

  // Load the chat when another session is opened; resume its answer if one was streaming.
  useEffect(() => {
    if (sessionId && sessionId === ownSessionRef.current) return;
    ownSessionRef.current = null;
    const previous = turnRef.current;
    if (previous) {
      turnRef.current = null;
      previous.controller.abort();
    }
    setNotice(null);
    if (!sessionId) {
      dispatch({ type: 'reset', loading: false });
      return;
    }
    dispatch({ type: 'reset', loading: true });
    const controller = new AbortController();
    void (async () => {
      const page = await reload(sessionId, controller.signal);
      if (!page || controller.signal.aborted) return;
      let messages = page.messages;
      const inflight = loadInflight();
      let resume: { cursor: TurnCursor; content: string; userText?: string } | null = null;
      if (inflight && inflight.sessionId === sessionId) {
        resume = {
          cursor: { sessionId, assistantMessageId: inflight.assistantMessageId, userMessageId: inflight.userMessageId, lastEventId: inflight.lastEventId },
          content: inflight.content,
          userText: inflight.userText,
        };
      } else {
        const last = messages[messages.length - 1];
        if (last && last.role === 'assistant' && isRunningStatus(last.status)) {
          // Streaming in another tab or before this tab knew of it: replay it from the start.
          resume = { cursor: { sessionId, assistantMessageId: last.id }, content: '' };
        }
      }
      if (resume) {
        const id = resume.cursor.assistantMessageId as string;
        const userText = resume.userText ?? [...messages].reverse().find((m) => m.role === 'user')?.content;
        const loaded = messages.find((m) => m.id === id);
        messages = messages.filter((m) => m.id !== id);
        messages.push({ ...loaded, id, role: 'assistant', content: resume.content, status: 'streaming', retryText: userText, error: undefined });
      }
      dispatch({ type: 'loaded', messages, olderCursor: page.olderCursor });
      if (resume) {
        void runTurn({
          controller: new AbortController(),
          cursor: resume.cursor,
          bubbleId: resume.cursor.assistantMessageId as string,
          userBubbleId: null,
          content: resume.content,
          pending: '',
          flushTimer: null,
          stoppedByUser: false,
          userText: resume.userText,
          actions: [],
        });
      }
    })();
    return () => controller.abort();
  }, [sessionId, reload, runTurn]);

  // Leaving the page: keep what was streamed so far; the answer is resumed on the next load.
  useEffect(() => {
    const onHide = () => {
      const turn = turnRef.current;
      if (turn) flush(turn);
    };
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      const turn = turnRef.current;
      if (turn) {
        turnRef.current = null;
        turn.controller.abort();
      }
    };
  }, [flush]);

  const send = useCallback(
    (text: string) => {
      const message = text.trim();
      if (!message || turnRef.current) return false;
      const userBubbleId = localId('u');
      const bubbleId = localId('a');
      dispatch({
        type: 'add',
        messages: [
          { id: userBubbleId, role: 'user', content: message, status: 'done', createdAt: new Date().toISOString() },
          { id: bubbleId, role: 'assistant', content: '', status: 'streaming', retryText: message },
        ],
      });
      const request: ChatRequest = { message };
      if (sessionRef.current) request.session_id = sessionRef.current;
      if (model) request.model = model;
      const documentIds = sessionRef.current ? undefined : newChatDocumentIds.current?.();
      if (documentIds?.length) request.document_ids = documentIds;
      void runTurn(
        {
          controller: new AbortController(),
          cursor: { sessionId: sessionRef.current ?? undefined },
          bubbleId,
          userBubbleId,
          content: '',
          pending: '',
          flushTimer: null,
          stoppedByUser: false,
          userText: message,
          actions: [],
        },
        request,
      );
      return true;
    },
    [model, runTurn],
  );

  const stop = useCallback(() => {
    const turn = turnRef.current;
    if (!turn || turn.stoppedByUser) return;
    flush(turn);
    turn.stoppedByUser = true;
    turnRef.current = null;
    forceRender();
    clearInflight(turn.cursor.assistantMessageId);
    dispatch({ type: 'patch', id: turn.bubbleId, patch: { status: 'stopped', statusLine: undefined, canContinue: true } });
    const sid = turn.cursor.sessionId;
    if (sid && turn.cursor.assistantMessageId) {
      const bubbleId = turn.bubbleId;
      pendingStop.current = stopTurn(sid)
        .then((saved) => {
          // Show exactly what was saved: a reload then shows the same text.
          if (saved && saved.id === bubbleId && typeof saved.content === 'string') {
            dispatch({ type: 'patch', id: bubbleId, patch: { content: saved.content, saved: true } });
          }
        })
        .catch(() => undefined)
        .finally(() => callbacks.current.onTurnFinished?.(sid));
      turn.controller.abort();
    } else {
      // The server has not named the turn yet: its `session` event stops it (or we give up waiting).
      setTimeout(() => turn.controller.abort(), 5000);
    }
  }, [flush]);

  /** Streams a turn on a saved message: a new answer to its question (regenerate), a new
   *  version of a user message (edit), or more of a stopped answer (continue). */
  const branch = useCallback(
    (kind: BranchKind, messageId: string, text?: string) => {
      const sid = sessionRef.current;
      const { messages, olderCursor } = stateRef.current;
      const index = messages.findIndex((m) => m.id === messageId);
      const target = messages[index];
      if (!sid || turnRef.current || !target || isLocalId(messageId)) return false;
      const edited = text?.trim();
      if (kind === 'edit' && (target.role !== 'user' || !edited)) return false;
      if (kind !== 'edit' && target.role !== 'assistant') return false;
      setNotice(null);
      const question = kind === 'edit' ? edited : [...messages.slice(0, index)].reverse().find((m) => m.role === 'user')?.content;
      let bubbleId = target.id;
      let userBubbleId: string | null = null;
      if (kind === 'continue') {
        dispatch({ type: 'patch', id: target.id, patch: { status: 'streaming', error: undefined, statusLine: undefined, canContinue: false, saved: undefined, retryText: question } });
      } else {
        bubbleId = localId('a');
        const answer: UiMessage = { id: bubbleId, role: 'assistant', content: '', status: 'streaming', retryText: question };
        const add: UiMessage[] = [answer];
        if (kind === 'edit') {
          userBubbleId = localId('u');
          const siblingIds = [...(target.siblingIds ?? [target.id]), userBubbleId];
          add.unshift({ id: userBubbleId, role: 'user', content: edited as string, status: 'done', createdAt: new Date().toISOString(), siblingIds, siblingIndex: siblingIds.length });
        } else {
          answer.siblingIds = [...(target.siblingIds ?? [target.id]), bubbleId];
          answer.siblingIndex = answer.siblingIds.length;
        }
        dispatch({ type: 'truncate', fromId: target.id, add });
      }
      const request: BranchRequest = { message_id: target.id };
      if (kind === 'edit') request.message = edited;
      if (model && kind !== 'continue') request.model = model;
      void runTurn(
        {
          controller: new AbortController(),
          cursor: { sessionId: sid },
          bubbleId,
          userBubbleId,
          content: kind === 'continue' ? target.content : '',
          pending: '',
          flushTimer: null,
          stoppedByUser: false,
          userText: question,
          actions: kind === 'continue' ? target.actions ?? [] : [],
          kind,
          snapshot: { messages, olderCursor },
        },
        request,
        BRANCH_PATHS[kind],
      );
      return true;
    },
    [model, runTurn],
  );

  const regenerate = useCallback((assistantId: string) => branch('regenerate', assistantId), [branch]);
  const edit = useCallback((userId: string, text: string) => branch('edit', userId, text), [branch]);
  const continueAnswer = useCallback((assistantId: string) => branch('continue', assistantId), [branch]);

  /**
   * Retry a failed answer without sending its message again: regenerate the answer if the
   * server saved it, else re-ask the saved question (an edit with the same text); only when
   * nothing reached the server is the message sent anew.
   */
  const retry = useCallback(
    (bubbleId: string) => {
      if (turnRef.current) return;
      const { messages } = stateRef.current;
      const index = messages.findIndex((m) => m.id === bubbleId);
      const failed = messages[index];
      if (!failed?.retryText) return;
      const previous = messages[index - 1];
      if (!isLocalId(failed.id)) {
        regenerate(failed.id);
        return;
      }
      if (previous && previous.role === 'user' && !isLocalId(previous.id)) {
        edit(previous.id, previous.content);
        return;
      }
      const drop = [failed.id];
      if (previous && previous.role === 'user' && previous.content === failed.retryText) drop.push(previous.id);
      dispatch({ type: 'remove', ids: drop });
      send(failed.retryText);
    },
    [send, regenerate, edit],
  );

  /** Shows another version of a message (and the branch under it). */
  const switchTo = useCallback(
    async (messageId: string) => {
      const sid = sessionRef.current;
      if (!sid || turnRef.current || isLocalId(messageId)) return;
      setNotice(null);
      setPending(true);
      try {
        await switchBranch(sid, messageId);
        const fresh = await reload(sid);
        if (fresh && sid === sessionRef.current && !turnRef.current) dispatch({ type: 'loaded', ...fresh });
      } catch (err) {
        if (sid === sessionRef.current && !(err instanceof ApiError && err.status === 401)) setNotice(err instanceof Error ? err.message : String(err));
      } finally {
        setPending(false);
      }
    },
    [reload],
  );

  /** A new chat with the branch down to this message; the page then opens it. */
  const fork = useCallback(async (messageId: string) => {
    const sid = sessionRef.current;
    if (!sid || isLocalId(messageId)) return;
    setNotice(null);
    setPending(true);
    try {
      const session = await forkSession(sid, messageId);
      callbacks.current.onForked?.(session);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setPending(false);
    }
  }, []);

  const loadOlder = useCallback(async () => {
    const sid = sessionRef.current;
    if (!sid || !state.olderCursor || state.loadingOlder) return;
    dispatch({ type: 'olderLoading' });
    try {
      const page = await fetchSessionMessages(sid, { cursor: state.olderCursor, limit: PAGE_SIZE });
      if (sid !== sessionRef.current) return;
      dispatch({ type: 'olderLoaded', messages: page.items.map(fromStored).reverse(), olderCursor: page.nextCursor });
    } catch (err) {
      dispatch({ type: 'olderFailed', error: err instanceof Error ? err.message : String(err) });
    }
  }, [state.olderCursor, state.loadingOlder]);

  const dismissNotice = useCallback(() => setNotice(null), []);

  return {
    ...state,
    streaming: turnRef.current !== null,
    /** A switch or fork is on its way: the message tools wait. */
    pending,
    notice,
    dismissNotice,
    send,
    stop,
    retry,
    regenerate,
    edit,
    continueAnswer,
    switchTo,
    fork,
    loadOlder,
  };
}
