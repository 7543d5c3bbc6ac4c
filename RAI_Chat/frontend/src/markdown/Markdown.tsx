import { memo, useCallback, useMemo, type MouseEvent } from 'react';
import { renderMarkdown } from './renderMarkdown';

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back below */
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** Renders sanitised markdown; code blocks get a working "Copy" button. */
export const Markdown = memo(function Markdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);

  const onClick = useCallback(async (event: MouseEvent<HTMLDivElement>) => {
    const button = (event.target as HTMLElement).closest('button.copy-code');
    if (!button) return;
    const code = button.closest('.code-block')?.querySelector('code');
    if (!code) return;
    const ok = await copyText(code.textContent ?? '');
    button.textContent = ok ? 'Copied' : 'Copy failed';
    button.setAttribute('data-copied', ok ? 'true' : 'false');
    setTimeout(() => {
      button.textContent = 'Copy';
      button.removeAttribute('data-copied');
    }, 1500);
  }, []);

  return <div className={className ? `markdown ${className}` : 'markdown'} onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
});
