/** Shapes of the RAI API's answers: aliases of the types generated from its OpenAPI document (schema.gen.ts). */

import type { components } from './schema.gen';

/** The API's own models, generated from its OpenAPI document (`npm run gen:types`). */
type Schemas = components['schemas'];

export type User = Schemas['UserOut'];
export type AuthAnswer = Schemas['TokenResponse'];
/** A chat; its messages form a tree and `active_leaf_id` is the last message of the branch shown. */
export type ChatSession = Schemas['SessionOut'];
/** A web page (`url`) or a passage of one of the user's documents (`kind: 'document'`). */
export type Source = Schemas['Source'];
export type DocumentStatus = Schemas['DocumentOut']['status'];
/** A file the user gave RAI (`/api/documents`); the page's own stand-ins (an upload under way, a
 *  document gone) lack what only the server knows. */
export type DocumentInfo = Omit<Schemas['DocumentOut'], ServerOnly> & Partial<Pick<Schemas['DocumentOut'], ServerOnly>>;
type ServerOnly = 'mime_type' | 'size_bytes' | 'chunk_count' | 'created_at' | 'session_ids';
/** One passage of a document, as an answer cited it. */
export type DocumentChunk = Schemas['ChunkOut'];
/** in_progress, complete, interrupted or error. */
export type MessageStatus = Schemas['MessageStatus'];
export type StoredMessage = Schemas['MessageOut'];
export type Fact = Schemas['FactOut'];
export type EpisodicResult = Schemas['SearchHit'];

/** The events of a chat turn's stream (Server-Sent Events), told apart by `type`. */
export type StreamEvent = Schemas['StreamEvent'];
export type SessionEvent = Schemas['SessionEvent'];
export type StatusEvent = Schemas['StatusEvent'];
export type TokenEvent = Schemas['TokenEvent'];
export type ActionEvent = Schemas['ActionEvent'];
export type DoneEvent = Schemas['DoneEvent'];
export type ErrorEvent = Schemas['ErrorEvent'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface EngineModel {
  id: string;
  owned_by?: string;
}
