import type { ActionEvent } from '../api/chatTurn';

const NAMES: Record<string, string> = {
  web_search: 'Web search',
  search_episodic: 'Memory search',
  remember: 'Remembered',
  forget: 'Forgot',
  forget_this: 'Forgot',
  correct: 'Corrected a memory',
  calculate: 'Calculated',
  request_tier: 'Re-read an earlier message',
};

/** One line for an action the assistant took ("Remembered: likes tea"). Accepts `status` or `outcome`. */
export function describeAction(event: Pick<ActionEvent, 'action' | 'status' | 'detail'> & { outcome?: string; input?: unknown }): string {
  const key = event.action.toLowerCase().replace(/[\s-]+/g, '_');
  const name = NAMES[key] ?? event.action.replace(/_/g, ' ');
  const outcome = event.status ?? event.outcome;
  const input = Array.isArray(event.input) ? event.input.filter((x) => typeof x === 'string').join(', ') : '';
  const detail = typeof event.detail === 'string' && event.detail ? event.detail : input;
  const failed = outcome && !['ok', 'done', 'success', 'complete', 'applied', 'started', 'running'].includes(outcome);
  return [name, detail].filter(Boolean).join(': ') + (failed ? ` (${outcome})` : '');
}
