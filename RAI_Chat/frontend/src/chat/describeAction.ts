import type { ActionEvent } from '../api/chatTurn';

type ActionLike = Pick<ActionEvent, 'action' | 'outcome' | 'input' | 'detail' | 'result'>;

/** What each action did, in the words of the label under the answer. */
const VERBS: Record<string, string> = {
  web_search: 'Searched the web',
  search_episodic: 'Searched memory',
  remember: 'Remembered',
  forget: 'Forgot',
  forget_this: 'Forgot',
  correct: 'Corrected',
  calculate: 'Calculated',
  request_tier: 'Re-read an earlier message',
};

/** Actions that change what is remembered: their label links to the memory panel. */
const MEMORY_ACTIONS = new Set(['remember', 'forget', 'forget_this', 'correct', 'search_episodic']);

const OK = ['ok', 'done', 'success', 'complete', 'applied', 'started', 'running'];

export function actionKey(event: Pick<ActionEvent, 'action'>): string {
  return event.action.toLowerCase().replace(/[\s-]+/g, '_');
}

export function isMemoryAction(event: Pick<ActionEvent, 'action'>): boolean {
  return MEMORY_ACTIONS.has(actionKey(event));
}

function inputText(input: unknown): string {
  return Array.isArray(input) ? input.filter((x) => typeof x === 'string').join(', ') : typeof input === 'string' ? input : '';
}

/** One line for an action the assistant took: "Remembered: likes tea", "Calculated: 2+2 = 4",
 *  "Corrected: 'Lyon' → 'Paris'". What it acted on comes first, then what came of it. */
export function describeAction(event: ActionLike): string {
  const key = actionKey(event);
  const verb = VERBS[key] ?? event.action.replace(/_/g, ' ');
  const outcome = event.outcome;
  const input = inputText(event.input);
  const detail = typeof event.detail === 'string' ? event.detail.trim() : '';
  const failed = Boolean(outcome && !OK.includes(outcome));
  if (failed) return `${verb}${input ? `: ${input}` : ''} (${[outcome, detail].filter(Boolean).join(': ')})`;
  let what: string;
  switch (key) {
    case 'remember':
      what = input || detail;
      break;
    case 'forget':
    case 'forget_this':
      what = detail.replace(/^forgot\s+/i, '') || input;
      break;
    case 'correct':
      what = detail || input;
      break;
    case 'calculate': {
      const result = typeof event.result === 'string' || typeof event.result === 'number' ? String(event.result) : detail;
      what = input && result ? `${input} = ${result}` : input || result;
      break;
    }
    case 'web_search':
    case 'search_episodic':
      what = [input && `“${input}”`, detail && `(${detail})`].filter(Boolean).join(' ');
      break;
    default:
      what = detail || input;
  }
  return what ? `${verb}: ${what}` : verb;
}
