/**
 * PEC provider mail domains named in the e-mail nameConstraints of the AgID CA1 certificate that
 * issues the providers' signing certificates (extracted from a 2024 chain; pec-protocol.md §4).
 * A cheap "is this From a real provider?" check, not a trust decision: the list can grow.
 */
const AGID_PROVIDER_DOMAINS = new Set([
  'agid.gov.it',
  'cert.informatica.aci.it',
  'cert.interno.it',
  'emarche.it',
  'fastweb-pec.it',
  'gestorepec.unina.it',
  'kmailer.it',
  'legalmail.it',
  'pcert.sogei.it',
  'pec.actalis.it',
  'pec.ancitel.it',
  'pec.aruba.it',
  'pec.basilicatanet.it',
  'pec-email.com',
  'pec.postecert.it',
  'pec.posteitaliane.it',
  'pec.rupar.puglia.it',
  'postacert.cedacri.it',
  'postacertificata.notariato.it',
  'postacert.it.net',
  'postecert.it',
  'sicurezzapostale.it',
  'telecompost.it',
  'trustedmail.intesa.it',
  'twtcert.it',
  'zucchettipec.it',
  'cert.intesa.it',
  'certmail.kpnqwest.it',
  'certmail.irideos.it',
  'pupec.informatica.aci.it',
  'pro.sicurezzapostale.it',
  'pec.bill4me.it',
  'pec.notartel.it',
  'miapec.it',
  'ig-trustmail.com',
]);

export function isListedProviderAddress(address: string | undefined): boolean {
  const domain = address?.split('@')[1]?.toLowerCase();
  return domain !== undefined && AGID_PROVIDER_DOMAINS.has(domain);
}
