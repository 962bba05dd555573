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

/**
 * Who is signed in, in the header of every page.
 * @param {{ name: string | null, csrf: string } | null} viewer
 */
function accountBar(viewer) {
  if (!viewer) return '<a class="account" href="/signin">Sign in with Accord</a>';
  return `<span class="account">Signed in as <strong>${escapeHtml(viewer.name ?? 'a customer who shares no name')}</strong>
<a href="/account">Your account</a>
<form method="post" action="/signout"><input type="hidden" name="csrf" value="${escapeHtml(viewer.csrf)}"><button type="submit">Sign out</button></form></span>`;
}

function layout(title, body, viewer = null) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Checkbook</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a href="/">Checkbook</a> <span>an example app of the brand, reading Accord</span> ${accountBar(viewer)}</header>
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

export function customerPage(id, entry, viewer) {
  return layout(
    'Customer',
    `<h1>Customer ${escapeHtml(id)}</h1>
<div id="customer" data-customer-id="${escapeHtml(id)}" data-stamp="${escapeHtml(entryStamp(entry))}" aria-live="polite">
${customerFragment(entry)}
</div>
<p id="live" role="status">Live updates are off until this page connects.</p>`,
    viewer,
  );
}

export function indexPage(entries, webhooks, viewer) {
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
    viewer,
  );
}

export function errorPage(status, message, viewer) {
  return layout(
    `Error ${status}`,
    `<h1>${escapeHtml(message)}</h1><p><a href="/">Back to the customers</a></p>`,
    viewer,
  );
}

/** The signed-in customer's own page: what Accord released to Checkbook, claim by claim. */
export function accountPage(viewer, refreshed) {
  const rows = Object.entries(viewer.claims)
    .filter(
      ([claim]) =>
        !['sub', 'sid', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'acr', 'amr', 'azp'].includes(
          claim,
        ),
    )
    .map(
      ([claim, value]) =>
        `<tr><th scope="row">${escapeHtml(claim)}</th><td>${escapeHtml(typeof value === 'object' ? JSON.stringify(value) : value)}</td></tr>`,
    )
    .join('');
  return layout(
    'Your account',
    `<h1>Your account</h1>
<section aria-labelledby="name-heading">
<h2 id="name-heading">Name</h2>
<p>${escapeHtml(viewer.name ?? 'Name not shared')}</p>
</section>
<h2 id="claims-heading">What Accord shares with Checkbook</h2>
${rows ? `<table aria-labelledby="claims-heading"><tbody>${rows}</tbody></table>` : '<p>Nothing beyond who you are.</p>'}
${refreshed ? '<p role="status">Read again from Accord just now.</p>' : ''}
<form method="post" action="/account/refresh"><input type="hidden" name="csrf" value="${escapeHtml(viewer.csrf)}"><button type="submit">Refresh from Accord</button></form>
<p><a href="/customers/${encodeURIComponent(String(viewer.claims.sub))}">Your checkbook delivery address</a></p>`,
    viewer,
  );
}

const SIGN_IN_PROBLEMS = {
  access_denied: 'You did not allow Checkbook to sign you in.',
  invalid_grant: 'Accord no longer lets Checkbook act for you: sign in again.',
  no_refresh_token: 'Checkbook cannot renew this session: sign in again.',
  login_required: 'Sign in to Accord first.',
  expired: 'That sign-in took too long or was already used: start again.',
};

/** A sign-in that did not complete, or a session Accord ended: the OAuth error code is shown, for support. */
export function signInProblemPage(code) {
  const message = SIGN_IN_PROBLEMS[code] ?? 'Signing in with Accord did not work: try again.';
  return layout(
    'Sign-in',
    `<h1>${escapeHtml(message)}</h1>
<p>Accord said: <code>${escapeHtml(code)}</code></p>
<p><a href="/signin">Sign in with Accord</a></p>`,
  );
}
