import 'server-only';

import type { KoaContextWithOIDC } from 'oidc-provider';

import en from '@/messages/en.json';
import fr from '@/messages/fr.json';

// The provider's RP-initiated logout pages in the brand's words and language,
// with nothing loaded from elsewhere (oidc-provider's defaults fetch a web font).
// Confirming signs out of the portal too (server/oidc/flows.ts).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function page(ctx: KoaContextWithOIDC, build: (text: typeof en.oidcFlows.logout) => string) {
  const french = /^fr\b/i.test(ctx.get('accept-language') ?? '');
  const text = (french ? fr : en).oidcFlows.logout;
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html lang="${french ? 'fr' : 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(text.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111}button{font:inherit;min-height:2.75rem;padding:0 1rem;margin:0 .5rem .5rem 0}</style>
</head>
<body><main>${build(text)}</main></body>
</html>`;
}

/** features.rpInitiatedLogout.logoutSource: `form` is oidc-provider's hidden form (its xsrf token). */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  page(
    ctx,
    (text) => `<h1>${escape(text.title)}</h1><p>${escape(text.body)}</p>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">${escape(text.confirm)}</button>
<button type="submit" form="op.logoutForm">${escape(text.stay)}</button>`,
  );
}

/** features.rpInitiatedLogout.postLogoutSuccessSource: no post_logout_redirect_uri to go back to. */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  page(
    ctx,
    (text) =>
      `<h1>${escape(text.doneTitle)}</h1><p>${escape(text.doneBody)}</p><p><a href="/">${escape(text.home)}</a></p>`,
  );
}
