import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over PEC messages and receipts (docs/decisions/0020-pec-search-and-export.md).
 * `pec_search_document` is the one definition of what is searchable: subject (A), addresses (B),
 * attachment names (C), body text (D), all through the Italian configuration. Bodies are sealed, so
 * only their lexemes are stored (`search`), written by the insert path that still holds the plaintext;
 * a row inserted without it gets subject and addresses from the trigger. `pec_inbox` is the unified
 * list: messages (in and out) and the receipts read, with keyset indexes on (tenant, at, id).
 */
export class PecSearch1766200000000 implements MigrationInterface {
  name = 'PecSearch1766200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION pec_search_document(subject text, addresses text[], body text, attachments text[]) RETURNS tsvector
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('pg_catalog.italian', coalesce(subject, '')), 'A')
          -- Whole addresses (the parser keeps an e-mail as one token) and their parts, so "rossi" finds mario.rossi@….
          || setweight(to_tsvector('pg_catalog.italian', coalesce(array_to_string(addresses, ' '), '') || ' ' ||
                 regexp_replace(coalesce(array_to_string(addresses, ' '), ''), '[@._+-]+', ' ', 'g')), 'B')
          -- Names too: "fattura_2026.pdf" is one token, its words are what people type.
          || setweight(to_tsvector('pg_catalog.italian', coalesce(array_to_string(attachments, ' '), '') || ' ' ||
                 regexp_replace(coalesce(array_to_string(attachments, ' '), ''), '[._-]+', ' ', 'g')), 'C')
          -- A tsvector holds at most 1 MB: the first 100,000 characters of a body are what is searched.
          || setweight(to_tsvector('pg_catalog.italian', left(coalesce(body, ''), 100000)), 'D')
      $$`);
    await runner.query(`
      CREATE FUNCTION pec_messages_search_default() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.search IS NULL THEN
          NEW.search := pec_search_document(NEW.subject, ARRAY[NEW.from_address] || NEW.to_addresses || NEW.cc_addresses, NULL, NULL);
        END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`
      CREATE FUNCTION pec_receipts_search() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search := pec_search_document(NEW.parsed->>'subject',
          ARRAY[NEW.parsed->>'sender', NEW.recipient] || ARRAY(SELECT r->>'address' FROM jsonb_array_elements(coalesce(NEW.parsed->'recipients', '[]')) r),
          NULL, NULL);
        RETURN NEW;
      END $$`);

    await runner.query('ALTER TABLE pec_messages ADD COLUMN search tsvector');
    await runner.query('ALTER TABLE pec_receipts ADD COLUMN search tsvector');
    // Existing rows: their bodies are sealed and a migration holds no key, so subject and addresses only.
    await runner.query(
      'UPDATE pec_messages SET search = pec_search_document(subject, ARRAY[from_address] || to_addresses || cc_addresses, NULL, NULL)',
    );
    await runner.query(`
      CREATE TRIGGER pec_messages_search_default BEFORE INSERT ON pec_messages
      FOR EACH ROW EXECUTE FUNCTION pec_messages_search_default()`);
    await runner.query(`
      CREATE TRIGGER pec_receipts_search BEFORE INSERT OR UPDATE OF parsed, recipient ON pec_receipts
      FOR EACH ROW EXECUTE FUNCTION pec_receipts_search()`);
    // Fires the trigger for the receipts already stored.
    await runner.query('UPDATE pec_receipts SET recipient = recipient');

    await runner.query('CREATE INDEX pec_messages_search ON pec_messages USING gin (search)');
    await runner.query('CREATE INDEX pec_receipts_search ON pec_receipts USING gin (search)');
    // Keyset paging walks (at, id) newest first, over the tenant or one mailbox.
    await runner.query('DROP INDEX pec_messages_listing');
    await runner.query('CREATE INDEX pec_messages_listing ON pec_messages (tenant_id, created_at DESC, id DESC)');
    await runner.query('CREATE INDEX pec_messages_mailbox_listing ON pec_messages (tenant_id, mailbox_id, created_at DESC, id DESC)');
    await runner.query('CREATE INDEX pec_receipts_listing ON pec_receipts (tenant_id, received_at DESC, id DESC)');
    await runner.query('CREATE INDEX pec_receipts_mailbox_listing ON pec_receipts (tenant_id, mailbox_id, received_at DESC, id DESC)');

    await runner.query(`
      CREATE VIEW pec_inbox AS
        SELECT m.id, m.tenant_id, m.mailbox_id, 'message'::text AS entry, m.direction, m.kind, m.status, m.subject,
               m.from_address, m.to_addresses, m.cc_addresses, m.receipt_type, m.message_id, m.provider_id,
               NULL::uuid AS related_id, m.created_by, m.created_at AS at, m.sent_at, m.search
          FROM pec_messages m
        UNION ALL
        SELECT r.id, r.tenant_id, r.mailbox_id, 'receipt', 'in', r.kind,
               CASE WHEN r.message_id IS NULL THEN 'unmatched' ELSE 'matched' END,
               coalesce(r.parsed->>'subject', ''), coalesce(r.parsed->>'sender', ''),
               CASE WHEN r.recipient IS NULL THEN '{}'::text[] ELSE ARRAY[r.recipient] END, '{}'::text[],
               r.parsed->>'receiptType', r.receipt_message_id, r.provider_id,
               r.message_id, NULL::uuid, r.received_at, NULL::timestamptz, r.search
          FROM pec_receipts r`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP VIEW pec_inbox');
    await runner.query('DROP INDEX pec_receipts_mailbox_listing');
    await runner.query('DROP INDEX pec_receipts_listing');
    await runner.query('DROP INDEX pec_messages_mailbox_listing');
    await runner.query('DROP INDEX pec_messages_listing');
    await runner.query('CREATE INDEX pec_messages_listing ON pec_messages (tenant_id, created_at DESC)');
    await runner.query('DROP TRIGGER pec_receipts_search ON pec_receipts');
    await runner.query('DROP TRIGGER pec_messages_search_default ON pec_messages');
    await runner.query('ALTER TABLE pec_receipts DROP COLUMN search');
    await runner.query('ALTER TABLE pec_messages DROP COLUMN search');
    await runner.query('DROP FUNCTION pec_receipts_search()');
    await runner.query('DROP FUNCTION pec_messages_search_default()');
    await runner.query('DROP FUNCTION pec_search_document(text, text[], text, text[])');
  }
}
