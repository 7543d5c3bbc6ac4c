import { describe, expect, it } from 'vitest';
import { parseRoute, routePath } from './router';

describe('routes', () => {
  it('reads a chat, a panel over a chat, and a new chat from the address', () => {
    expect(parseRoute('/c/abc-1', null, '')).toEqual({ chatId: 'abc-1', panel: null });
    expect(parseRoute('/settings', { behind: 'abc-1' }, '')).toEqual({ chatId: 'abc-1', panel: 'settings' });
    expect(parseRoute('/memory/', null, '')).toEqual({ chatId: null, panel: 'memory' });
    expect(parseRoute('/', null, '')).toEqual({ chatId: null, panel: null });
    expect(parseRoute('/anything/else', null, '')).toEqual({ chatId: null, panel: null });
  });

  it('works under a sub-path', () => {
    expect(parseRoute('/rai/c/abc', null, '/rai')).toEqual({ chatId: 'abc', panel: null });
    expect(routePath({ chatId: 'abc', panel: null }, '/rai')).toBe('/rai/c/abc');
    expect(routePath({ chatId: 'abc', panel: 'memory' }, '/rai')).toBe('/rai/memory');
    expect(routePath({ chatId: null, panel: null }, '/rai')).toBe('/rai/');
  });
});
