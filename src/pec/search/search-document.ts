import type { EntityManager } from 'typeorm';
import { TenantContext } from '../../db/tenant-context.js';

/** What a message's search document is made of, in clear, while the insert path still holds it. */
export interface SearchableContent {
  /** The body as text; `html` is used, without its tags, only when there is no text. */
  text?: string | null;
  html?: string | null;
  attachmentNames: string[];
}

/**
 * Writes the full-text document of a `pec_messages` row: subject and addresses from the row, body and
 * attachment names from `content` (docs/decisions/0020). Every insert path calls it in the insert's
 * transaction, right after the insert: bodies are sealed at rest, so their lexemes (not their text) are
 * all the database keeps of them. A row never passed here is still found by subject and addresses.
 */
export async function writeSearchDocument(manager: EntityManager, messageId: string, content: SearchableContent): Promise<void> {
  await manager.query(
    `UPDATE pec_messages SET search = pec_search_document(subject, ARRAY[from_address] || to_addresses || cc_addresses, $3, $4)
      WHERE tenant_id = $1 AND id = $2`,
    [TenantContext.current().tenantId, messageId, bodyText(content), content.attachmentNames],
  );
}

function bodyText(content: SearchableContent): string | null {
  if (content.text) return content.text;
  if (!content.html) return null;
  return content.html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/gi, ' ');
}
