/**
 * Markdown → safe HTML: marked (GFM) renders, raw HTML in the source is shown as text rather
 * than interpreted, and DOMPurify sanitises the result. So `<img src=x onerror=...>` typed by
 * the user or produced by the model renders as inert text.
 */
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { escapeHtml, highlightCode } from './highlighter';

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    code({ text, lang }: Tokens.Code) {
      const { html, language } = highlightCode(text, lang);
      const label = language ? `<span class="code-lang">${escapeHtml(language)}</span>` : '<span class="code-lang">code</span>';
      const cls = language ? ` class="hljs language-${escapeHtml(language)}"` : ' class="hljs"';
      return (
        `<div class="code-block"><div class="code-toolbar">${label}` +
        '<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>' +
        `<pre><code${cls}>${html}</code></pre></div>\n`
      );
    },
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
  },
});

let hooksInstalled = false;
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.getAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    if (node.tagName === 'IMG') {
      node.setAttribute('loading', 'lazy');
      node.setAttribute('referrerpolicy', 'no-referrer');
    }
  });
}

export function sanitizeHtml(html: string): string {
  installHooks();
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'iframe', 'object', 'embed', 'script'],
    FORBID_ATTR: ['style'],
    ADD_ATTR: ['target'],
  });
}

export function renderMarkdown(source: string): string {
  const html = marked.parse(source ?? '') as string;
  return sanitizeHtml(html);
}
