import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.module.js';

const VERSION = 'v1';

/**
 * AES-256-GCM for secrets kept at rest (TOTP seeds; later mailbox credentials and message bodies).
 * The output carries a version, the nonce and the tag, so keys can be rotated by version later.
 */
@Injectable()
export class SecretBox {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // The configured key may be any string of 32+ characters; hashing gives the 32 bytes AES-256 needs.
    this.key = createHash('sha256').update(config.DATA_ENCRYPTION_KEY).digest();
  }

  seal(plain: string, context: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    // The context (e.g. the user id) is authenticated: a sealed value copied onto another row won't open.
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /**
   * Binary content (attachments): `v1` | nonce (12) | tag (16) | ciphertext, for a bytea column,
   * rather than base64 text a third larger. The context is authenticated as in seal().
   */
  sealBytes(plain: Buffer, context: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from(VERSION), nonce, cipher.getAuthTag(), body]);
  }

  openBytes(sealed: Buffer, context: string): Buffer {
    if (sealed.subarray(0, 2).toString() !== VERSION || sealed.length < 30) throw new Error('sealed bytes in an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(2, 14));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(14, 30));
    return Buffer.concat([decipher.update(sealed.subarray(30)), decipher.final()]);
  }

  open(sealed: string, context: string): string {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== VERSION || !nonce || !tag || body === undefined) throw new Error('sealed value in an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
