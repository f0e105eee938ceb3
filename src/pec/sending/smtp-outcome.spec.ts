import { classifySmtpFailure } from './smtp-outcome.js';

describe('SMTP failures of a PEC submission', () => {
  it('retries a 4xx later; a rate reply also slows the whole mailbox down', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 4.7.1 rate limit exceeded' })).toMatchObject({
      outcome: 'throttled',
      signal: 'slow-down',
    });
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 450, response: '450 4.7.1 rate limit' }).signal).toBe('slow-down');
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 421, response: '421 4.7.0 closing connection' }).signal).toBe(
      'slow-down',
    );
    expect(
      classifySmtpFailure({
        code: 'EENVELOPE',
        responseCode: 451,
        response: '451 4.7.1 Limite di invio per minuto superato, riprovare più tardi',
      }).signal,
    ).toBe('slow-down');
    // A temporary error about this message says nothing about the mailbox's pace.
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 Errore temporaneo' })).toMatchObject({
      outcome: 'throttled',
      signal: 'answered',
    });
  });

  it("reads Legalmail's 550 Too much traffic as a throttle", () => {
    expect(
      classifySmtpFailure({
        code: 'EENVELOPE',
        responseCode: 550,
        response: '550 5.7.1 "Class Of Service" - Too much traffic from this sender',
      }),
    ).toMatchObject({ outcome: 'throttled', signal: 'slow-down' });
  });

  it('takes any other 5xx as final', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 553, response: '553 5.7.1 sender not allowed' })).toEqual({
      outcome: 'refused',
      signal: 'answered',
      reply: '553 5.7.1 sender not allowed',
    });
  });

  it('retries a connection or login failure, and does not know after a connection lost in DATA', () => {
    expect(classifySmtpFailure({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toMatchObject({
      outcome: 'throttled',
      signal: 'unreachable',
    });
    expect(classifySmtpFailure({ code: 'ETIMEDOUT', command: 'DATA', message: 'Timeout' })).toMatchObject({
      outcome: 'unknown',
      signal: 'unreachable',
    });
    expect(classifySmtpFailure({ code: 'ESOCKET', message: 'socket hang up' }).outcome).toBe('unknown');
  });
});
