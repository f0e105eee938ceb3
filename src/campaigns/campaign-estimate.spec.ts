import { PROFILES } from '../mailboxes/mailbox-profiles.js';
import { estimateCampaign } from './campaign-estimate.js';
import { encodedSize, rowAttachmentBudget } from './campaign-size.js';

describe('campaign cost, pace and size', () => {
  it('prices every recipient and paces them by minute, whole days at the daily quota first', () => {
    expect(estimateCampaign(0, 1, PROFILES.standard)).toMatchObject({ beatsNeeded: 0, estimatedSeconds: 0 });
    // standard: 50 a minute, 500 a day.
    expect(estimateCampaign(100, 2, PROFILES.standard)).toMatchObject({ beatsNeeded: 200, estimatedSeconds: 120 });
    expect(estimateCampaign(500, 1, PROFILES.standard).estimatedSeconds).toBe(600);
    // 1,200 = two full days of 500, then 200 at 50 a minute.
    expect(estimateCampaign(1_200, 1, PROFILES.standard).estimatedSeconds).toBe(2 * 86_400 + 240);
    // massiva-xl: 100,000 at 5,000 a minute take 20 minutes.
    expect(estimateCampaign(100_000, 1, PROFILES['massiva-xl']).estimatedSeconds).toBe(1_200);
  });

  it('counts attachments as base64 with line breaks against the message limit', () => {
    expect(encodedSize(57)).toBe(78); // one 76-character line and its CRLF
    expect(encodedSize(3 * 1024 * 1024)).toBeGreaterThan(4 * 1024 * 1024);
    const oneMb = 1024 * 1024;
    expect(rowAttachmentBudget(oneMb, 0, [])).toBe(oneMb - 16 * 1024);
    expect(rowAttachmentBudget(oneMb, 1000, [600 * 1024, 200 * 1024])).toBeLessThan(0);
  });
});
