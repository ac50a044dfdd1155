import { join } from 'node:path';
import { HoloringError } from '../errors.ts';
import { type DocumentBody, type RunDocument, runDocumentSchema } from './documents.ts';
import { DOCUMENTS_FILE } from './layout.ts';
import { type AppendStats, LineAppender, type LineAppenderOptions } from './lineAppender.ts';

/**
 * The run's documents.jsonl: each document stamped with `time` and `run`,
 * validated against its schema, appended as one line (same durability and
 * full-disk behaviour as the journal, with a smaller memory bound).
 */
export interface DocumentLog {
  /** Appends a document; returns it as written. A document failing its schema is refused (RING_ERR_RUN_DOCUMENT). */
  write<T extends RunDocument>(body: DocumentBody<T>, at?: Date): T;
  stats(): AppendStats & { dropped: number };
  close(): void;
}

export const DOCUMENT_INVALID = 'RING_ERR_RUN_DOCUMENT';

export function openDocumentLog(dir: string, runId: string, opts: LineAppenderOptions & { existingBytes?: number; now?: () => number } = {}): DocumentLog {
  const out = new LineAppender(join(dir, DOCUMENTS_FILE), { maxPendingBytes: 4 * 1024 * 1024, ...opts });
  const now = opts.now ?? Date.now;
  let dropped = 0;
  return {
    write<T extends RunDocument>(body: DocumentBody<T>, at?: Date): T {
      const doc = { ...body, time: (at ?? new Date(now())).toISOString(), run: runId };
      const r = runDocumentSchema.safeParse(doc);
      if (!r.success) {
        const i = r.error.issues[0];
        throw new HoloringError(DOCUMENT_INVALID, `a ${body.type} document does not match its schema: ${i.path.join('.') || '(top level)'}: ${i.message}`, { type: body.type });
      }
      if (out.append(JSON.stringify(doc)) === 'refused') dropped++;
      return doc as unknown as T;
    },
    stats: () => ({ ...out.stats(), dropped }),
    close: () => {
      dropped += out.close().unwritten.length;
    },
  };
}
