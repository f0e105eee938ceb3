import { advance, messageStatusOf } from './recipient-states.js';

describe('recipient state machine', () => {
  it('moves forward through accepted to delivered', () => {
    expect(advance('queued', 'sending')).toBe('sending');
    expect(advance('sending', 'accepted')).toBe('accepted');
    expect(advance('accepted', 'delivered')).toBe('delivered');
  });

  it('keeps a delivery read before its accettazione', () => {
    expect(advance('sending', 'delivered')).toBe('delivered');
    expect(advance('delivered', 'accepted')).toBe('delivered');
  });

  it('never leaves a final state', () => {
    expect(advance('failed', 'delivered')).toBe('failed');
    expect(advance('refused', 'accepted')).toBe('refused');
    expect(advance('failed-timeout', 'warned')).toBe('failed-timeout');
  });

  it('goes from warned to failed-timeout or delivered, and back to queued only from sending', () => {
    expect(advance('warned', 'failed-timeout')).toBe('failed-timeout');
    expect(advance('warned', 'delivered')).toBe('delivered');
    expect(advance('sending', 'queued')).toBe('queued');
    expect(advance('accepted', 'queued')).toBe('accepted');
  });

  it('gives the message the common state, the least advanced one while moving, partial when they ended apart', () => {
    expect(messageStatusOf(['delivered', 'delivered'])).toBe('delivered');
    expect(messageStatusOf(['failed', 'failed-timeout'])).toBe('failed');
    expect(messageStatusOf(['delivered', 'accepted'])).toBe('accepted');
    expect(messageStatusOf(['delivered', 'failed'])).toBe('partial');
  });
});
