import { useEffect, useState } from 'react';
import { apiRequest } from './http';

/** What the server allows and can do (`GET /api/capabilities`): the page never copies a limit. */
export interface Capabilities {
  max_message_chars: number;
  max_import_bytes: number;
  web_search: boolean;
}

export function fetchCapabilities(signal?: AbortSignal): Promise<Capabilities> {
  return apiRequest<Capabilities>('/api/capabilities', { signal });
}

/** The server's capabilities once known (null until then, or when it does not say). */
export function useCapabilities(): Capabilities | null {
  const [caps, setCaps] = useState<Capabilities | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchCapabilities(controller.signal)
      .then((c) => {
        if (!controller.signal.aborted && typeof c.max_message_chars === 'number') setCaps(c);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, []);
  return caps;
}
