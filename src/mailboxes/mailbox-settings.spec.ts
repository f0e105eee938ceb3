import { ProblemException } from '../api/problem.js';
import { presetsFor } from './mailbox-presets.js';
import { resolveSettings } from './mailbox-settings.js';
import { reasonOf } from './mailbox-probe.js';

const presets = presetsFor({ PEC_PROVIDER_SMTP_PORT: 2526, DOVECOT_IMAP_PORT: 10143 });

describe('resolveSettings', () => {
  it('takes the preset’s servers and the profile’s limits, with overrides on top', () => {
    const settings = resolveSettings({ preset: 'aruba', profile: 'massiva-xl', limits: { perDay: 1_200_000 } }, undefined, presets, 'it');
    expect(settings.smtp).toEqual({ host: 'smtps.pec.aruba.it', port: 465, security: 'tls' });
    expect(settings.limits).toEqual({ perMinute: 5_000, perDay: 1_200_000, maxMessageMb: 1, maxRecipients: 500 });
  });

  it('keeps the stored values on a change, and starts again from the defaults when the preset or profile changes', () => {
    const current = resolveSettings(
      { preset: 'local', profile: 'standard', smtp: { port: 2600 }, limits: { perMinute: 6 } },
      undefined,
      presets,
      'it',
    );
    expect(resolveSettings({ sentFolder: 'Inviata' }, current, presets, 'it')).toMatchObject({
      smtp: { port: 2600 },
      limits: { perMinute: 6 },
    });
    expect(resolveSettings({ preset: 'namirial', profile: 'strutturata' }, current, presets, 'it')).toMatchObject({
      smtp: { host: 'smtps.sicurezzapostale.it', port: 465 },
      limits: { perMinute: 100 },
    });
  });

  it('points the local preset at the ports this installation runs its provider and Dovecot on', () => {
    const local = resolveSettings(
      { preset: 'local', profile: 'standard' },
      undefined,
      presetsFor({ PEC_PROVIDER_SMTP_PORT: 2600, DOVECOT_IMAP_PORT: 10200 }),
      'it',
    );
    expect(local).toMatchObject({ smtp: { host: '127.0.0.1', port: 2600 }, imap: { host: '127.0.0.1', port: 10200, security: 'none' } });
  });

  it('refuses overriding a provider’s fixed servers and a custom preset without them', () => {
    expect(() => resolveSettings({ preset: 'legalmail', profile: 'standard', imap: { port: 143 } }, undefined, presets, 'en')).toThrow(
      ProblemException,
    );
    try {
      resolveSettings({ preset: 'custom', profile: 'standard', smtp: { host: 'smtp.example.it' } }, undefined, presets, 'en');
      throw new Error('no error');
    } catch (error) {
      expect((error as ProblemException).extras.errors?.map((e) => ('field' in e ? e.field : ''))).toEqual([
        'smtp.port',
        'smtp.security',
        'imap.host',
        'imap.port',
        'imap.security',
      ]);
    }
  });
});

describe('reasonOf', () => {
  it('names nodemailer’s and imapflow’s failures the same way', () => {
    expect(reasonOf({ code: 'EAUTH', message: 'Invalid login: 535' })).toBe('auth-failed');
    expect(reasonOf({ authenticationFailed: true, message: 'Command failed' })).toBe('auth-failed');
    expect(reasonOf({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe('connection-refused');
    expect(reasonOf({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe('connection-refused');
    expect(reasonOf({ code: 'ESOCKET', message: 'SSL routines:ssl3_get_record:wrong version number' })).toBe('tls');
    expect(reasonOf({ message: 'Server does not support STARTTLS' })).toBe('tls');
    expect(reasonOf({ code: 'ETIMEDOUT', message: 'Greeting never received' })).toBe('timeout');
    expect(reasonOf({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND pec.invalid' })).toBe('host-not-found');
    expect(reasonOf(new Error('500 unexpected'))).toBe('protocol');
  });
});
