import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.module.js';

/**
 * The service provider's signing pair (SAML_SP_PRIVATE_KEY / SAML_SP_CERT), one per deployment so
 * every replica signs alike. Without it AuthnRequests go unsigned (ADFS accepts them) and sign-out
 * stays local: ADFS refuses unsigned LogoutRequests (MSIS7084).
 */
@Injectable()
export class SpSigningKey {
  readonly privateKey: string | null;
  readonly certificate: string | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.privateKey = config.SAML_SP_PRIVATE_KEY ?? null;
    this.certificate = config.SAML_SP_CERT ?? null;
    // Checked here rather than per variable: the two only make sense together, and must match.
    if (!this.privateKey !== !this.certificate) {
      throw new Error(
        `Invalid configuration:\n  ${this.privateKey ? 'SAML_SP_CERT' : 'SAML_SP_PRIVATE_KEY'}: set it together with the other SAML_SP_ variable`,
      );
    }
    if (this.privateKey && this.certificate) {
      const fromKey = createPublicKey(createPrivateKey(this.privateKey)).export({ type: 'spki', format: 'der' });
      const fromCert = new X509Certificate(this.certificate).publicKey.export({ type: 'spki', format: 'der' });
      if (!fromKey.equals(fromCert)) throw new Error('Invalid configuration:\n  SAML_SP_CERT: does not match SAML_SP_PRIVATE_KEY');
    }
  }

  get enabled(): boolean {
    return this.privateKey !== null;
  }
}
