/**
 * The page's side of the conversation tree: which user message is being edited in place, and
 * the handlers the message tools call (regenerate, edit, continue, fork, switch versions).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { isLocalId, type UiMessage } from './conversationState';
import type { MessageTools } from './MessageActions';

interface ConversationTree {
  messages: UiMessage[];
  streaming: boolean;
  pending: boolean;
  regenerate: (assistantId: string) => boolean;
  edit: (userId: string, text: string) => boolean;
  continueAnswer: (assistantId: string) => boolean;
  switchTo: (messageId: string) => Promise<void>;
  fork: (messageId: string) => Promise<void>;
}

const focusComposer = () => document.getElementById('composer-input')?.focus();

export function useMessageTools(chat: ConversationTree, chatKey: string | null) {
  const [editingId, setEditingId] = useState<string | null>(null);
  const { messages, streaming, pending, regenerate, edit, continueAnswer, switchTo, fork } = chat;

  // Another chat, or the message left the branch shown: nothing is being edited any more.
  useEffect(() => setEditingId(null), [chatKey]);
  useEffect(() => {
    if (editingId && !messages.some((m) => m.id === editingId)) setEditingId(null);
  }, [editingId, messages]);

  const tools = useMemo<MessageTools>(
    () => ({
      onRegenerate: (id) => void regenerate(id),
      onContinue: (id) => void continueAnswer(id),
      onFork: (id) => void fork(id),
      onSwitch: (id) => void switchTo(id),
      onEdit: (id) => setEditingId(id),
      onEditCancel: () => {
        setEditingId(null);
        focusComposer();
      },
      onEditSubmit: (id, text) => {
        if (edit(id, text)) {
          setEditingId(null);
          focusComposer();
        }
      },
    }),
    [regenerate, continueAnswer, fork, switchTo, edit],
  );

  /** ↑ in the empty box: edit the last message the user sent (if the server has it). */
  const editLast = useCallback(() => {
    if (streaming || pending) return false;
    const last = [...messages].reverse().find((m) => m.role === 'user');
    if (!last || isLocalId(last.id)) return false;
    setEditingId(last.id);
    return true;
  }, [messages, streaming, pending]);

  return { tools, editingId, editLast };
}
