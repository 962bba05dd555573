// The app's HTML. Everything that comes from Accord or from the request is
// untrusted text: it goes through escapeHtml and nowhere else.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const regions = new Intl.DisplayNames(['en'], { type: 'region' });
function countryName(code) {
  try {
    return regions.of(String(code)) ?? String(code);
  } catch {
    return String(code);
  }
}

const time = (date) =>
  new Date(date)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

function layout(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Checkbook</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a href="/">Checkbook</a> <span>an example app of the brand, reading Accord</span></header>
<main id="main">
${body}
</main>
<script src="/app.js" defer></script>
</body>
</html>`;
}

function addressHtml(a) {
  const lines = [a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(' '), countryName(a.country)].filter(
    Boolean,
  );
  return `<address>${lines.map(escapeHtml).join('<br>')}</address>`;
}

/**
 * The customer card, also sent as is to open pages when a webhook changes it.
 * @param {import('./store.mjs').Entry | undefined} entry
 */
export function customerFragment(entry) {
  if (!entry || entry.state === 'deleted') {
    return `<p>${entry ? 'This customer deleted their account: Checkbook keeps nothing of it.' : 'Not loaded yet.'}</p>`;
  }
  const c = entry.customer ?? {};
  const hasName = 'firstName' in c || 'lastName' in c;
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  const addresses = c.addresses;
  let address;
  if (!addresses) address = '<p>No address shared</p>';
  else if (!addresses.home) address = '<p>No home address given</p>';
  else address = addressHtml(addresses.home);
  const source = entry.source.type === 'api' ? 'read from the API' : `webhook ${escapeHtml(entry.source.type)}`;
  return `<section aria-labelledby="name-heading">
<h2 id="name-heading">Name</h2>
<p>${hasName ? escapeHtml(name || '(empty)') : 'Name not shared'}</p>
</section>
<section aria-labelledby="address-heading">
<h2 id="address-heading">Postal address</h2>
${address}
</section>
<p class="meta">${entry.customer ? `Version ${escapeHtml(c.version)}, ` : 'Accord shares nothing of this customer with Checkbook, '}${source} at ${escapeHtml(time(entry.source.at))}.</p>`;
}

/** Which copy a card shows: the page skips a pushed card it already shows. */
export const entryStamp = (entry) => (entry ? `${entry.state}:${entry.source.at.getTime()}` : 'none');

export function customerPage(id, entry) {
  return layout(
    'Customer',
    `<h1>Customer ${escapeHtml(id)}</h1>
<div id="customer" data-customer-id="${escapeHtml(id)}" data-stamp="${escapeHtml(entryStamp(entry))}" aria-live="polite">
${customerFragment(entry)}
</div>
<p id="live" role="status">Live updates are off until this page connects.</p>`,
  );
}

export function indexPage(entries, webhooks) {
  const customers = entries.length
    ? `<ul>${entries.map(([id]) => `<li><a href="/customers/${encodeURIComponent(id)}">${escapeHtml(id)}</a></li>`).join('')}</ul>`
    : '<p>None yet: open <code>/customers/&lt;id&gt;</code>, or wait for a webhook.</p>';
  const rows = webhooks
    .map(
      (w) =>
        `<tr><td>${escapeHtml(time(w.receivedAt))}</td><td>${escapeHtml(w.type)}</td><td>${escapeHtml(w.customerId ?? '')}</td>` +
        `<td>${escapeHtml(w.fields.length ? w.fields.join(', ') : 'nothing')}</td></tr>`,
    )
    .join('');
  return layout(
    'Customers',
    `<h1>Customers Checkbook knows</h1>
${customers}
<h2 id="webhooks-heading">Recent webhooks</h2>
${
  webhooks.length
    ? `<table aria-labelledby="webhooks-heading"><thead><tr><th scope="col">Received</th><th scope="col">Type</th><th scope="col">Customer</th><th scope="col">Fields carried</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>None received since this app started.</p>'
}`,
  );
}

export function errorPage(status, message) {
  return layout(`Error ${status}`, `<h1>${escapeHtml(message)}</h1><p><a href="/">Back to the customers</a></p>`);
}
