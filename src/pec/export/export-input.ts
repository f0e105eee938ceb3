import { z } from 'zod';
import { inboxFilterSchema, listOf } from '../search/inbox-query.js';

/** The most ids one export names; a larger selection is a filter (a mailbox, a period). */
export const EXPORT_MAX_IDS = 1000;

/** An export: the inbox's filters, and optionally the ids selected among the rows they match. */
export const exportSelectionSchema = inboxFilterSchema.extend({ ids: listOf(z.uuid(), EXPORT_MAX_IDS).optional() });
export type ExportSelectionInput = z.infer<typeof exportSelectionSchema>;
