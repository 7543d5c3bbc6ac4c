import type { Source } from '../api/types';
import { Icon } from '../ui/Icon';

function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The web pages an answer drew on, listed under it. Only http(s) links are made clickable. */
export function Sources({ sources }: { sources: Source[] }) {
  const items = sources.filter((s) => s && typeof s.url === 'string');
  if (items.length === 0) return null;
  return (
    <nav className="sources" aria-label="Sources">
      <h3 className="sources-title">Sources</h3>
      <ol>
        {items.map((source, i) => {
          const href = safeHref(source.url);
          const label = source.title?.trim() || source.url;
          return (
            <li key={`${source.url}-${i}`}>
              <Icon name="link" size={14} />
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer nofollow" title={source.url}>
                  {label}
                </a>
              ) : (
                <span>{label}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
