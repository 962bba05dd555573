import 'server-only';

import type { Configuration } from 'oidc-provider';

import en from '@/messages/en.json';
import fr from '@/messages/fr.json';

// The provider's error page, in the brand's words and language: the OAuth
// error code the specifications name, no description beyond it in
// production, never a stack (docs/decisions/037-openid-provider.md).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

export const renderProviderError: NonNullable<Configuration['renderError']> = async (ctx, out) => {
  const french = /^fr\b/i.test(ctx.get('accept-language') ?? '');
  const text = (french ? fr : en).oidcProvider.error;
  const code = typeof out.error === 'string' ? out.error : 'server_error';
  const detail =
    process.env.NODE_ENV !== 'production' && typeof out.error_description === 'string' ? out.error_description : '';
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html lang="${french ? 'fr' : 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(text.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111}code{background:#f3f4f6;padding:0 .25rem}</style>
</head>
<body><main><h1>${escape(text.title)}</h1><p>${escape(text.body)}</p>
<p>${escape(text.code)} <code>${escape(code)}</code>${detail ? ` — ${escape(detail)}` : ''}</p>
<p><a href="/">${escape(text.home)}</a></p></main></body>
</html>`;
};
