/** Shapes of the RAI API's answers (see shared/ARCHITECTURE.md, "HTTP contract"). Extra fields are tolerated. */

export interface User {
  id: string;
  username: string;
  /** The first account; administrators see every user's API keys and usage. */
  is_admin?: boolean;
}

export interface AuthAnswer {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  user: User;
}

export interface ChatSession {
  id: string;
  title: string | null;
  created_at?: string;
  updated_at?: string;
  message_count?: number;
  /** The last message of the branch shown (messages form a tree; see StoredMessage). */
  active_leaf_id?: string | null;
}

/** A web page (`url`) or a passage of one of the user's documents (`kind: 'document'`). */
export interface Source {
  title?: string;
  url?: string;
  kind?: 'document' | string;
  document_id?: string;
  chunk_id?: string;
  filename?: string;
  page?: number | null;
  heading?: string | null;
  /** The answer's citation number `[n]`. */
  n?: number;
}

export type DocumentStatus = 'queued' | 'extracting' | 'ready' | 'failed';

/** A file the user gave RAI (`/api/documents`). */
export interface DocumentInfo {
  id: string;
  filename: string;
  mime_type?: string | null;
  size_bytes?: number;
  status: DocumentStatus;
  pages_total: number | null;
  pages_done: number;
  chunk_count?: number;
  error: string | null;
  created_at?: string;
  session_ids?: string[];
}

/** One passage of a document, as an answer cited it. */
export interface DocumentChunk {
  id: string;
  document_id: string;
  filename: string;
  page: number | null;
  heading: string | null;
  text: string;
}

export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant' | 'system' | string;
  content: string;
  status?: string;
  created_at?: string;
  sources?: Source[];
  error?: string | null;
  /** Interrupted by the user's Stop (not a failure). */
  stopped?: boolean;
  /** What the assistant did for this answer (the stream's action events, kept). */
  actions?: Array<{ action: string; outcome?: string; input?: unknown; detail?: unknown; result?: unknown }>;
  /** The message this one answers or follows (null for the first). */
  parent_id?: string | null;
  /** This message and its alternatives (regenerated answers, edited messages), in order. */
  sibling_ids?: string[];
  /** 1-based position of this message among `sibling_ids`. */
  sibling_index?: number;
  sibling_count?: number;
  /** An answer that stopped early (interrupted, or cut at the length limit) and can be continued. */
  can_continue?: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Fact {
  id: string;
  fact: string;
  created_at?: string;
  updated_at?: string;
  /** Where the fact came from: a message (and its session), or entered by hand. */
  source_message_id?: string | null;
  session_id?: string | null;
  source?: string | null;
  /** e.g. active, superseded (replaced by a correction). */
  status?: string;
}

export interface EpisodicResult {
  id: string;
  session_id?: string | null;
  message_ids?: string[];
  text: string;
  score?: number;
  created_at?: string;
}

export interface EngineModel {
  id: string;
  owned_by?: string;
}
