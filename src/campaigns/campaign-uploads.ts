import type { ZipLimits } from './recipient-zip.js';

/** The files of `POST /api/v1/campaigns`, as multer hands them over (memory storage). */
export interface CampaignUploads {
  recipients?: Express.Multer.File[];
  attachments?: Express.Multer.File[];
  recipientAttachments?: Express.Multer.File[];
}

/**
 * Upload limits: a 100,000-row XLSX of a dozen columns is ~8 MB, the same as CSV ~12 MB; a per-recipient ZIP of
 * thousands of PDFs is the big one. Multer refuses a larger part with 413 before it is buffered whole.
 */
export const CAMPAIGN_UPLOAD_LIMITS = {
  fileBytes: 200 * 1024 * 1024,
  campaignAttachments: 10,
};

/** Inflated, the ZIP may not exceed what the campaign could ever send: 30 MB per file, 2 GB in all. */
export const RECIPIENT_ZIP_LIMITS: ZipLimits = {
  maxFiles: 300_000,
  maxFileBytes: 30 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
};

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  p7m: 'application/pkcs7-mime',
  xml: 'application/xml',
  txt: 'text/plain',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  zip: 'application/zip',
};

/** Files from the ZIP carry no type: the extension names the common ones, anything else is an opaque stream. */
export function contentTypeOf(filename: string): string {
  const extension = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}
