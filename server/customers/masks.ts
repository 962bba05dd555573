import 'server-only';

// What staff see of a customer's contact data until a value is revealed on purpose
// (issue 16 item 2): masked here, on the server, so the browser never receives the rest.

/** The local part and the domain's name down to their first letter; the top-level domain stays. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const name = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}•••@${name.slice(0, 1)}•••${tld}`;
}

/** The last two digits only, whatever the number's length: "•• •• •• •• 78". */
export function maskPhone(e164: string): string {
  return `•• •• •• •• ${e164.replace(/\D/g, '').slice(-2)}`;
}

/** City and country only: no street, no postal code. */
export function maskAddress(address: { city: string; country: string }): { city: string; country: string } {
  return { city: address.city, country: address.country };
}
