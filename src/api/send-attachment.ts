import type { Response } from 'express';

/**
 * As a download whatever its type: an HTML or SVG file shown inline from our origin could run script
 * in the workspace's session. res.attachment encodes the name (RFC 6266 filename*, ASCII fallback).
 */
export function sendAttachment(res: Response, file: { filename: string; contentType: string; content: Buffer }): void {
  res.attachment(file.filename);
  res.set({ 'Content-Type': file.contentType, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' });
  res.send(file.content);
}
