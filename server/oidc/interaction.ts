import 'server-only';

import type { IncomingMessage, ServerResponse } from 'node:http';

import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';

import { SCOPE_CLAIMS } from '@/lib/oidc/claims';
import { getPool } from '@/server/platform/db';
import { errorMessage, getLogger } from '@/server/platform/log';

import { findOidcApp } from './account';
import { takeConsentChoice } from './interaction-store';
import { ACR_STRONG, acrOf, amrOf, portalSessionFromCookies } from './portal-session';

// /oidc/interaction/:uid: the portal's session is the provider's login
// (docs/decisions/037-openid-provider.md). Finishes the interaction itself when
// it can; otherwise sends the browser (303) to the portal's sign-in, step-up or
// consent page, which send it back here.

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

function scopesOf(value: unknown): string[] {
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : [];
}

/** The live grant of an earlier sign-in (another browser) of this customer to this app, if any. */
async function previousGrantId(accountId: string, clientId: string): Promise<string | null> {
  const { rows } = await getPool().query<{ id: string }>(
    `SELECT id FROM oidc_payloads
      WHERE account_id = $1 AND client_id = $2 AND model = 'Grant' AND (expires_at IS NULL OR expires_at > now())
      ORDER BY (payload->>'iat')::bigint DESC LIMIT 1`,
    [accountId, clientId],
  );
  return rows[0]?.id ?? null;
}

export async function handleInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    // Unknown or expired interaction, or another browser's: start over at the app.
    res.statusCode = 400;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('invalid_request: this sign-in request has expired. Go back to the app and try again.');
    return;
  }
  const { uid, prompt, params } = details;
  const clientId = String(params.client_id);
  const here = `/oidc/interaction/${uid}`;
  const finish = (result: InteractionResults) =>
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: prompt.name !== 'login' });

  try {
    const portal = await portalSessionFromCookies(req.headers.cookie);
    if (prompt.name === 'login') {
      if (!portal) return redirect(res, `/signin?next=${encodeURIComponent(here)}`);
      const authenticatedAt = portal.authenticatedAt.getTime();
      const maxAge = Number(params.max_age);
      const stale =
        (prompt.reasons.includes('login_prompt') && authenticatedAt < (details.iat ?? 0) * 1000) ||
        (Number.isFinite(maxAge) && params.max_age !== undefined && Date.now() - authenticatedAt > maxAge * 1000) ||
        (scopesOf(params.acr_values).includes(ACR_STRONG) && acrOf(portal) !== ACR_STRONG);
      if (stale) return redirect(res, `/authorize/${uid}/step-up`);
      return await finish({
        login: {
          accountId: portal.customerId,
          acr: acrOf(portal),
          amr: amrOf(portal),
          ts: Math.floor(authenticatedAt / 1000),
          remember: true,
        },
      });
    }

    if (prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      const app = await findOidcApp(clientId);
      if (!accountId || !app) return await finish({ error: 'access_denied' });
      if (portal?.customerId !== accountId) return redirect(res, `/signin?next=${encodeURIComponent(here)}`);
      const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      const requested = scopesOf(params.scope);
      const choice = await takeConsentChoice(uid, accountId);
      const asksOptional = requested.some((scope) => app.optionalClaims.some((claim) => scopeHasClaim(scope, claim)));
      const forced = prompt.reasons.includes('consent_prompt');

      let grantId = details.grantId;
      if (!choice) {
        const earlier = grantId ?? (await previousGrantId(accountId, clientId));
        if (!forced && earlier) {
          const grant = await provider.Grant.find(earlier);
          const held = new Set(scopesOf(grant?.getOIDCScope()));
          if (grant && requested.every((scope) => held.has(scope)))
            return await finish({ consent: { grantId: earlier } });
        }
        // Nothing optional to choose: the consent policy already governs what is released.
        if (forced || asksOptional) return redirect(res, `/authorize/${uid}/consent`);
      } else if (!choice.approved) {
        return await finish({ error: 'access_denied', error_description: 'The customer refused the request.' });
      }

      const grant =
        (grantId ? await provider.Grant.find(grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
      const scopes = new Set([...(missing.missingOIDCScope ?? []), ...requested]);
      if (app.oidcScopes.includes('offline_access')) scopes.add('offline_access');
      grant.addOIDCScope([...scopes].join(' '));
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
      if (choice?.refused.length) grant.rejectOIDCClaims(choice.refused);
      grantId = await grant.save();
      return await finish({ consent: { grantId } });
    }

    return await finish({ error: 'invalid_request' });
  } catch (error) {
    getLogger().error({ component: 'oidc', uid }, `interaction failed: ${errorMessage(error)}`);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('server_error');
    }
  }
}

function scopeHasClaim(scope: string, claim: string): boolean {
  return (
    Object.hasOwn(SCOPE_CLAIMS, scope) &&
    (SCOPE_CLAIMS[scope as keyof typeof SCOPE_CLAIMS] as readonly string[]).includes(claim)
  );
}
