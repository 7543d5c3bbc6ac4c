import type { Source } from '../api/types';
import { DocumentSources } from '../documents/DocumentSources';
import { Icon } from '../ui/Icon';

function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The web pages an answer drew on, listed under it (only http(s) links are made clickable),
 *  and the passages of the user's documents it cited (chips that open the passage). */
export function Sources({ sources }: { sources: Source[] }) {
  const items = sources.filter((s): s is Source & { url: string } => Boolean(s) && typeof s.url === 'string');
  const hasDocuments = sources.some((s) => s?.kind === 'document');
  if (items.length === 0 && !hasDocuments) return null;
  return (
    <nav className="sources" aria-label="Sources">
      <h3 className="sources-title">Sources</h3>
      <DocumentSources sources={sources} />
      {items.length > 0 && (
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
      )}
    </nav>
  );
}
