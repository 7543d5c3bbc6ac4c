import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './renderMarkdown';

function toDom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMarkdown', () => {
  it('renders markdown', () => {
    const dom = toDom(renderMarkdown('# Title\n\n**bold** and *it* and `x`\n\n- a\n- b'));
    expect(dom.querySelector('h1')?.textContent).toBe('Title');
    expect(dom.querySelector('strong')?.textContent).toBe('bold');
    expect(dom.querySelectorAll('li')).toHaveLength(2);
  });

  it.each([
    '<img src=x onerror="window.__xss=1">',
    'Hello <img src=x onerror=alert(1)> there',
    '<script>window.__xss=1</script>',
    '<a href="javascript:alert(1)">click</a>',
    '[click](javascript:alert(1))',
    '<svg onload=alert(1)><circle/></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '![x](x" onerror="alert(1))',
  ])('renders %s inert', (source) => {
    const dom = toDom(renderMarkdown(source));
    expect(dom.querySelector('script, iframe, svg, [onerror], [onload]')).toBeNull();
    for (const a of dom.querySelectorAll('a')) expect(a.getAttribute('href') ?? '').not.toMatch(/^javascript:/i);
    for (const el of dom.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) expect(attr.startsWith('on')).toBe(false);
    }
  });

  it('shows raw HTML from the model as text', () => {
    const dom = toDom(renderMarkdown('Try <img src=x onerror=alert(1)> now'));
    expect(dom.querySelector('img')).toBeNull();
    expect(dom.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('highlights a fenced code block and adds a copy button', () => {
    const dom = toDom(renderMarkdown('```python\ndef f(x):\n    return "<b>"\n```'));
    const code = dom.querySelector('pre code');
    expect(code?.className).toContain('language-python');
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('def');
    expect(code?.textContent).toContain('return "<b>"');
    expect(dom.querySelector('button.copy-code')?.textContent).toBe('Copy');
    expect(dom.querySelector('.code-lang')?.textContent).toBe('python');
  });

  it('escapes code in an unknown language', () => {
    const dom = toDom(renderMarkdown('```brainfrog\n<img src=x onerror=alert(1)>\n```'));
    expect(dom.querySelector('img')).toBeNull();
    expect(dom.querySelector('code')?.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('opens links in a new tab without an opener', () => {
    const a = toDom(renderMarkdown('[site](https://example.org)')).querySelector('a');
    expect(a?.getAttribute('target')).toBe('_blank');
    expect(a?.getAttribute('rel')).toContain('noopener');
  });

  it('copes with half-written markdown while streaming', () => {
    expect(() => renderMarkdown('```js\nconst a = ')).not.toThrow();
    expect(() => renderMarkdown('| a | b |\n|--')).not.toThrow();
  });
});
