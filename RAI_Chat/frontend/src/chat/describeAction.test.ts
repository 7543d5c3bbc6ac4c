import { describe, expect, it } from 'vitest';
import { describeAction } from './describeAction';

describe('describeAction', () => {
  it.each([
    [{ action: 'remember', input: ['lives in Lyon'], outcome: 'ok', detail: 'remembered' }, 'Remembered: lives in Lyon'],
    [{ action: 'correct', input: ['a', 'b'], outcome: 'ok', detail: '“Paris” → “Lyon”' }, 'Corrected: “Paris” → “Lyon”'],
    [{ action: 'forget', input: ['cats'], outcome: 'ok', detail: 'forgot “likes cats”' }, 'Forgot: “likes cats”'],
    [{ action: 'calculate', input: ['2+2'], outcome: 'ok', detail: '4', result: '4' }, 'Calculated: 2+2 = 4'],
    [{ action: 'web_search', input: ['lyon weather'], outcome: 'ok', detail: '3 found' }, 'Searched the web: “lyon weather” (3 found)'],
    [{ action: 'search_episodic', input: ['trip'], outcome: 'ok', detail: '' }, 'Searched memory: “trip”'],
    [{ action: 'remember', input: ['x'], outcome: 'skipped', detail: 'already known' }, 'Remembered: x (skipped: already known)'],
  ] satisfies [Parameters<typeof describeAction>[0], string][])('%o reads %s', (event, label) => {
    expect(describeAction(event)).toBe(label);
  });
});
