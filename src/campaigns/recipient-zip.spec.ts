import JSZip from 'jszip';
import { readAttachmentZip, ZipRefusedError, type ZipLimits } from './recipient-zip.js';

const limits: ZipLimits = { maxFiles: 10, maxFileBytes: 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024 };

async function zip(files: Record<string, Buffer | string>): Promise<Buffer> {
  const archive = new JSZip();
  for (const [name, content] of Object.entries(files)) archive.file(name, content, { createFolders: false });
  return archive.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function refusal(bytes: Buffer, custom: ZipLimits = limits): Promise<string> {
  const error = await readAttachmentZip(bytes, custom).catch((caught: unknown) => caught);
  return error instanceof ZipRefusedError ? error.code : `no refusal: ${String(error)}`;
}

describe('readAttachmentZip', () => {
  it('gives each file by its own name, folders and macOS resource forks aside', async () => {
    const entries = await readAttachmentZip(
      await zip({ 'a.pdf': 'uno', 'sub/b.pdf': 'due', '__MACOSX/sub/._b.pdf': 'x', 'sub/._b.pdf': 'x' }),
      limits,
    );
    expect(entries.map((entry) => [entry.name, entry.content.toString()])).toEqual([
      ['a.pdf', 'uno'],
      ['b.pdf', 'due'],
    ]);
  });

  it('stops inflating a ZIP bomb at the limit (50 MB of zeros in 50 KB)', async () => {
    const bomb = await zip({ 'bomba.pdf': Buffer.alloc(50 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(await refusal(bomb)).toBe('too-large');
    // The whole archive counts too: three files of 0.9 MB exceed 2 MB together.
    const three = await zip({ 'a.pdf': Buffer.alloc(900 * 1024), 'b.pdf': Buffer.alloc(900 * 1024), 'c.pdf': Buffer.alloc(900 * 1024) });
    expect(await refusal(three)).toBe('too-large');
  });

  it('refuses paths that climb out or are absolute, too many files, two files of one name and what is not a ZIP', async () => {
    expect(await refusal(await zip({ '../fuori.pdf': 'x' }))).toBe('unsafe-path');
    expect(await refusal(await zip({ '/etc/passwd': 'x' }))).toBe('unsafe-path');
    expect(await refusal(await zip({ 'a.pdf': 'x', 'b.pdf': 'y' }), { ...limits, maxFiles: 1 })).toBe('too-many-files');
    expect(await refusal(await zip({ 'uno/a.pdf': 'x', 'due/A.PDF': 'y' }))).toBe('duplicate-name');
    expect(await refusal(Buffer.from('non è uno zip'))).toBe('unreadable');
  });
});
