import type { SubmittedMessage } from './submitted-message.js';
import { carriesTestVirus } from './submitted-message.js';

/** Why the punto di accesso refuses a message with an avviso di non accettazione. */
export interface Refusal {
  virus: boolean;
  /** Italian text for errore-esteso and the avviso body. */
  reason: string;
}

/**
 * The checks of the punto di accesso (RFC 6109 §3.1.1, pec-protocol.md §1), in the order a
 * provider reports them: the first failing one is the reason. A message carrying a virus is
 * refused "per virus" whatever else is wrong with it, unless `scanForViruses` is off (the fault
 * `miss-virus`: an antivirus that let it through).
 */
export function checkSubmission(
  message: SubmittedMessage,
  envelope: { mailFrom: string; rcptTo: string[] },
  maxBytesTimesRecipients: number,
  scanForViruses = true,
): Refusal | undefined {
  if (scanForViruses && carriesTestVirus(message.mime)) return { virus: true, reason: 'Il messaggio contiene un virus (EICAR-Test-File)' };
  const listed = new Set([...message.to, ...message.cc]);
  if (message.from.length !== 1) return refuse("L'intestazione From deve contenere un solo indirizzo valido");
  if (message.to.length === 0) return refuse("L'intestazione To deve contenere almeno un indirizzo valido");
  if (message.from[0] !== envelope.mailFrom) {
    return refuse(`Il mittente del messaggio (${message.from[0]}) è diverso dal mittente della busta SMTP (${envelope.mailFrom})`);
  }
  if (message.bcc.length > 0) return refuse('Il messaggio contiene destinatari in copia nascosta (Bcc), non ammessi');
  const unlisted = envelope.rcptTo.filter((address) => !listed.has(address));
  if (unlisted.length > 0) return refuse(`Destinatari non presenti nelle intestazioni To o Cc: ${unlisted.join(', ')}`);
  const total = message.raw.length * envelope.rcptTo.length;
  if (total > maxBytesTimesRecipients) {
    return refuse(
      `Dimensione del messaggio per numero di destinatari (${total} byte) oltre il limite del gestore (${maxBytesTimesRecipients} byte)`,
    );
  }
  return undefined;
}

function refuse(reason: string): Refusal {
  return { virus: false, reason };
}
