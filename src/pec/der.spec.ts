import { DER, derAt, derChildren, derOid, derTime } from './der.js';

const bytes = (...parts: (number[] | Buffer)[]) => Buffer.concat(parts.map((part) => Buffer.from(part)));

describe('DER reader of the signature check', () => {
  const signedDataOid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
  const utcTime = bytes([0x17, 0x0d], Buffer.from('261126103000Z'));

  it('reads a structure as slices: tags, whole elements and contents, OIDs and times', () => {
    const sequence = derAt(bytes([0x30, signedDataOid.length + utcTime.length], signedDataOid, utcTime));
    expect(sequence.tag).toBe(DER.SEQUENCE);
    const [oid, time] = derChildren(sequence);
    expect(derOid(oid!)).toBe('1.2.840.113549.1.7.2');
    expect(oid!.bytes).toEqual(Buffer.from(signedDataOid));
    expect(derTime(time!).toISOString()).toBe('2026-11-26T10:30:00.000Z');
  });

  it('reads long-form lengths, four-digit years with a fraction and two-digit years of the last century', () => {
    const long = derAt(bytes([0x04, 0x81, 200], Buffer.alloc(200, 7)));
    expect(long.content).toHaveLength(200);
    expect(long.bytes).toHaveLength(203);
    expect(derTime(derAt(bytes([0x18, 0x12], Buffer.from('20261126103000.25Z')))).toISOString()).toBe('2026-11-26T10:30:00.250Z');
    expect(derTime(derAt(bytes([0x17, 0x0d], Buffer.from('991231235959Z')))).getUTCFullYear()).toBe(1999);
  });

  it('refuses what it does not read, so the caller falls back to pkijs', () => {
    expect(() => derAt(bytes([0x30, 0x80, 0x00, 0x00]))).toThrow('indefinite');
    expect(() => derAt(bytes([0x04, 0x05, 0x01]))).toThrow('beyond');
    expect(() => derAt(bytes([0x1f, 0x01, 0x00]))).toThrow('tag');
    expect(() => derTime(derAt(bytes([0x17, 0x0b], Buffer.from('2611261030Z'))))).toThrow('time');
    expect(() => derOid(derAt(utcTime))).toThrow('OBJECT IDENTIFIER');
  });
});
