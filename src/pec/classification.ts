import type { Daticert } from './daticert.js';
import type { HeaderList } from './headers.js';
import type { PecErrorCode, PecErrorDetails, PecMeaning, PecResult, ReceiptType } from './pec-result.js';

/**
 * The PEC adapter's decision: kind, receipt type and error from the top-level `X-*` headers and
 * the top-level daticert only — never from the subject, whose prefix is followed by the sender's
 * own words (pec-protocol.md §2 and §9).
 */
export type PecClassification =
  | { kind: 'not-pec' }
  | {
      kind: PecMeaning;
      receiptType?: ReceiptType;
      error?: PecErrorCode;
      errorDetails?: PecErrorDetails;
      unrecognisedType?: PecResult['unrecognisedType'];
    };

/** `X-Ricevuta` values: the daticert DTD's `tipo` list minus posta-certificata; the kind is the value. */
export const RECEIPT_KINDS = new Set<PecMeaning>([
  'accettazione',
  'non-accettazione',
  'presa-in-carico',
  'avvenuta-consegna',
  'errore-consegna',
  'preavviso-errore-consegna',
  'rilevazione-virus',
]);
/** `X-Trasporto` values: `errore` is the busta di anomalia. */
const TRANSPORT_KINDS: Record<string, PecMeaning> = { 'posta-certificata': 'posta-certificata', errore: 'anomalia' };
/** daticert `tipo` values, for a message whose marker header is missing. */
const TIPO_KINDS = new Set<PecMeaning>([...RECEIPT_KINDS, 'posta-certificata']);
const ERROR_CODES = new Set<PecErrorCode>(['no-dest', 'no-dominio', 'virus', 'altro']);
const RECEIPT_TYPES = new Set<ReceiptType>(['completa', 'breve', 'sintetica']);
/** Kinds that carry a daticert.xml of their own (the busta di anomalia carries none: its data are not certified). */
const CERTIFIED_KINDS = TIPO_KINDS;
/** Kinds that report a failure, so they carry an error code. */
const FAILING_KINDS = new Set<PecMeaning>(['non-accettazione', 'errore-consegna', 'rilevazione-virus']);

/** The 24 h non-delivery code (AgID NOTA 12): final, whether typed preavviso or errore (pec-protocol.md §7). */
const TIMEOUT_STATUS = '5.4.1';

/**
 * A marker value the rulebook does not list still comes from a PEC provider (or claims to): it is
 * read as `anomalia` — a message the PEC system could not certify as one of its own, shown to a
 * person and never moving a recipient's state — with the raw value kept and flagged.
 */
export function classifyPec(headers: HeaderList, daticert: Daticert | undefined, flags: string[]): PecClassification {
  const ricevuta = headers.get('x-ricevuta')?.trim().toLowerCase();
  const trasporto = headers.get('x-trasporto')?.trim().toLowerCase();
  const tipo = daticert?.tipo?.toLowerCase();

  let kind: PecMeaning | undefined;
  let unrecognisedType: PecResult['unrecognisedType'];
  if (ricevuta !== undefined) {
    if (trasporto !== undefined) flags.push('both-x-ricevuta-and-x-trasporto');
    kind = RECEIPT_KINDS.has(ricevuta as PecMeaning) ? (ricevuta as PecMeaning) : undefined;
    if (!kind) {
      flags.push(`unknown-x-ricevuta:${ricevuta}`);
      unrecognisedType = { source: 'x-ricevuta', value: ricevuta };
    }
  } else if (trasporto !== undefined) {
    kind = TRANSPORT_KINDS[trasporto];
    if (!kind) {
      flags.push(`unknown-x-trasporto:${trasporto}`);
      unrecognisedType = { source: 'x-trasporto', value: trasporto };
    }
  } else if (tipo !== undefined) {
    kind = TIPO_KINDS.has(tipo as PecMeaning) ? (tipo as PecMeaning) : undefined;
    if (!kind) unrecognisedType = { source: 'daticert-tipo', value: tipo };
    flags.push('no-pec-header-classified-by-daticert');
  } else {
    return { kind: 'not-pec' };
  }
  if (unrecognisedType) flags.push('unrecognised-type');

  const expectedTipo = ricevuta ?? (trasporto === 'posta-certificata' ? 'posta-certificata' : undefined);
  if (tipo !== undefined && expectedTipo !== undefined && tipo !== expectedTipo && kind) {
    flags.push(`daticert-tipo-mismatch:header=${expectedTipo},daticert=${tipo}`);
  }
  if (tipo !== undefined && !TIPO_KINDS.has(tipo as PecMeaning)) flags.push(`unknown-daticert-tipo:${tipo}`);
  if (!kind) return { kind: 'anomalia', unrecognisedType };
  if (!daticert && CERTIFIED_KINDS.has(kind)) flags.push('daticert-missing');

  const { error, errorDetails } = errorOf(kind, headers, daticert, flags);
  // The 24 h notice is final, whatever the provider typed (pec-protocol.md §7).
  if (errorDetails?.timeout && kind === 'preavviso-errore-consegna') kind = 'errore-consegna';
  return { kind, receiptType: receiptTypeOf(kind, headers, daticert, flags), error, errorDetails };
}

function errorOf(
  kind: PecMeaning,
  headers: HeaderList,
  daticert: Daticert | undefined,
  flags: string[],
): { error?: PecErrorCode; errorDetails?: PecErrorDetails } {
  const raw = daticert?.errore?.toLowerCase();
  const extended = daticert?.erroreEsteso;
  const status = extended ? /^\s*(\d\.\d{1,3}\.\d{1,3})\b/.exec(extended)?.[1] : undefined;
  const virusHeader = headers.get('x-verificasicurezza')?.trim().toLowerCase() === 'errore';
  let code: PecErrorCode | undefined;
  if (raw && raw !== 'nessuno') {
    if (ERROR_CODES.has(raw as PecErrorCode)) code = raw as PecErrorCode;
    else {
      flags.push(`unknown-daticert-errore:${raw}`);
      code = 'altro';
    }
  }
  if (virusHeader) {
    if (code && code !== 'virus') flags.push(`x-verificasicurezza-but-errore:${code}`);
    code = 'virus';
  }
  if (kind === 'rilevazione-virus') code ??= 'virus';
  const failing = FAILING_KINDS.has(kind);
  if (failing && !code) {
    flags.push('error-without-code');
    code = 'altro';
  }
  if (!failing && kind !== 'preavviso-errore-consegna' && code) flags.push(`error-on-${kind}:${code}`);
  if (!extended) return { error: code };
  const errorDetails: PecErrorDetails = { extended };
  if (status) errorDetails.status = status;
  if (status === TIMEOUT_STATUS && (kind === 'preavviso-errore-consegna' || kind === 'errore-consegna')) errorDetails.timeout = true;
  return { error: code, errorDetails };
}

function receiptTypeOf(kind: PecMeaning, headers: HeaderList, daticert: Daticert | undefined, flags: string[]): ReceiptType | undefined {
  if (kind !== 'posta-certificata' && kind !== 'avvenuta-consegna') return undefined;
  const fromDaticert = daticert?.ricevuta?.toLowerCase();
  const fromHeader = headers.get('x-tiporicevuta')?.trim().toLowerCase();
  if (fromDaticert && fromHeader && fromDaticert !== fromHeader) {
    flags.push(`receipt-type-mismatch:header=${fromHeader},daticert=${fromDaticert}`);
  }
  const value = fromDaticert ?? fromHeader;
  if (value === undefined) return undefined;
  if (RECEIPT_TYPES.has(value as ReceiptType)) return value as ReceiptType;
  flags.push(`unknown-receipt-type:${value}`);
  return undefined;
}
