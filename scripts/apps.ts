// `npm run apps -- <command>`: the registry of the brand's other apps.
// Uses DATABASE_URL, else the embedded PostgreSQL in .data/ (started and
// stopped around the command when it was not running). docs/api.md
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';

import type { AuditActor } from '../server/platform/audit';
import { withCliDatabase } from './db/prepare';

const USAGE = `Usage: npm run apps -- <command> [options]

  create --name <name> --purposes <p,…> --fields <f,…> [--scopes <s,…>] [--webhook <url>]
         [--description <text>] [--rate-limit <requests per minute>]
                            register an app; prints its client id and secret (and webhook
                            secret) once. Purposes: service (the contract), marketing-emails,
                            personalization, analytics, partner-sharing. Fields: name, email,
                            phone, postalAddress, locale, preferences, signals; "field:purpose"
                            ties a field to one purpose. Scopes: customers:read (default),
                            customers:write, preferences:write (preferences; the locale with
                            customers:write), signals:write (activity signals), content:read
                            (the content chosen for a customer).
         Sign-in with Accord (an app with a redirect URI is an OpenID client, docs/oidc.md):
         [--redirect-uris <url,…>] [--post-logout-redirect-uris <url,…>]
         [--client-type confidential|public] [--oidc-scopes <s,…>]
         [--required-claims <c,…>] [--optional-claims <c,…>] [--backchannel-logout-uri <url>]
                            URIs: https (http only for localhost), exact, no fragment.
                            Scopes: openid (needed), profile, email, phone, address,
                            offline_access. Claims: name, given_name, family_name, locale,
                            email, email_verified, phone_number, phone_number_verified,
                            address; each needs its scope and its field among --fields.
                            A public client (browser or mobile app) gets no secret use:
                            PKCE only.
  list                      the apps, with what they declared
  set-sign-in <app> [--redirect-uris …] [--post-logout-redirect-uris …] [--client-type …]
         [--oidc-scopes …] [--required-claims …] [--optional-claims …] [--backchannel-logout-uri …]
                            changes the sign-in settings given (as for create; "" clears
                            one), keeping the others
  rotate-secret <app>       a new client secret; tokens issued before stop working
  rotate-webhook-secret <app> [--overlap-hours <n>]
                            a new webhook secret; for n hours (24 by default) webhooks are
                            signed with the new and the old secret, then with the new only
  disable <app>             no token, no webhook, no database login
  enable <app>               (a database role needs grant-db again: a new password)
  grant-db <app>            a PostgreSQL login role that can only read the consent-enforcing
                            views (shared.customers); run again to rotate its password
  deliveries <app> [--status pending|delivered|suppressed|dead] [--limit n]
                            the app's webhook deliveries, newest first
  redrive <app> [--id <delivery id>]…
                            dead (or the given) deliveries are sent again

<app> is the app's name or client id.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    purposes: { type: 'string' },
    fields: { type: 'string' },
    scopes: { type: 'string' },
    webhook: { type: 'string' },
    description: { type: 'string' },
    'rate-limit': { type: 'string' },
    'redirect-uris': { type: 'string' },
    'post-logout-redirect-uris': { type: 'string' },
    'client-type': { type: 'string' },
    'oidc-scopes': { type: 'string' },
    'required-claims': { type: 'string' },
    'optional-claims': { type: 'string' },
    'backchannel-logout-uri': { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    'overlap-hours': { type: 'string' },
    id: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});

const [command, target] = positionals;

// Changes made here are audited as the console's are, under the operator's login.
const actor: AuditActor = { type: 'cli', label: `cli:${userInfo().username}` };

function fail(message: string): never {
  console.error(`apps: ${message}`);
  process.exit(1);
}

async function run(): Promise<void> {
  const apps = await import('../server/apps/registry');
  const needApp = () => target ?? fail(`${command} needs an app name or client id\n\n${USAGE}`);
  const unknown = () => fail(`no app named ${target}`);

  switch (command) {
    case 'create': {
      try {
        const { app, clientSecret, webhookSecret } = await apps.createApp(
          {
            name: values.name ?? fail('create needs --name'),
            purposes: values.purposes ?? fail('create needs --purposes'),
            fields: values.fields ?? fail('create needs --fields'),
            ...(values.scopes ? { scopes: values.scopes } : {}),
            ...(values.webhook ? { webhook: values.webhook } : {}),
            ...(values.description ? { description: values.description } : {}),
            ...(values['rate-limit'] ? { rateLimitPerMinute: values['rate-limit'] } : {}),
            ...(values['redirect-uris'] ? { redirectUris: values['redirect-uris'] } : {}),
            ...(values['post-logout-redirect-uris']
              ? { postLogoutRedirectUris: values['post-logout-redirect-uris'] }
              : {}),
            ...(values['client-type'] ? { clientType: values['client-type'] as 'confidential' | 'public' } : {}),
            ...(values['oidc-scopes'] ? { oidcScopes: values['oidc-scopes'] } : {}),
            ...(values['required-claims'] ? { requiredClaims: values['required-claims'] } : {}),
            ...(values['optional-claims'] ? { optionalClaims: values['optional-claims'] } : {}),
            ...(values['backchannel-logout-uri'] ? { backchannelLogoutUri: values['backchannel-logout-uri'] } : {}),
          },
          actor,
        );
        console.log(`Registered ${app.name}.`);
        console.log(`  client id      ${app.clientId}`);
        console.log(`  client secret  ${clientSecret}`);
        if (webhookSecret) console.log(`  webhook secret ${webhookSecret}`);
        console.log('The secrets are shown this once: only a hash of the client secret is kept.');
      } catch (error) {
        if (error instanceof apps.AppInputError) fail(error.message);
        throw error;
      }
      return;
    }
    case 'set-sign-in': {
      const app = (await apps.findApp(needApp())) ?? unknown();
      const given = (option: keyof typeof values) => values[option] as string | undefined;
      try {
        const updated =
          (await apps.updateAppSignIn(
            {
              clientId: app.clientId,
              redirectUris: given('redirect-uris') ?? app.redirectUris,
              postLogoutRedirectUris: given('post-logout-redirect-uris') ?? app.postLogoutRedirectUris,
              clientType: (given('client-type') ?? app.clientType) as 'confidential' | 'public',
              oidcScopes: given('oidc-scopes') ?? app.oidcScopes,
              requiredClaims: given('required-claims') ?? app.requiredClaims,
              optionalClaims: given('optional-claims') ?? app.optionalClaims,
              ...((given('backchannel-logout-uri') ?? app.backchannelLogoutUri)
                ? { backchannelLogoutUri: given('backchannel-logout-uri') ?? app.backchannelLogoutUri! }
                : {}),
            },
            actor,
          )) ?? unknown();
        console.log(
          updated.redirectUris.length > 0
            ? `${updated.name} signs customers in: redirect URIs ${updated.redirectUris.join(' ')}`
            : `${updated.name} is a client-credentials client only (no redirect URI).`,
        );
      } catch (error) {
        if (error instanceof apps.AppInputError) fail(error.message);
        throw error;
      }
      return;
    }
    case 'list': {
      const all = await apps.listApps();
      if (all.length === 0) console.log('No app registered yet: npm run apps -- create --help');
      for (const app of all) {
        const fields = Object.entries(app.fieldPurposes)
          .map(([field, purposes]) => `${field} (${purposes.join(', ')})`)
          .join(', ');
        console.log(`${app.name}${app.disabledAt ? ' [disabled]' : ''}  ${app.clientId}`);
        console.log(`  reads ${fields}; scopes ${app.scopes.join(' ')}; ${app.rateLimitPerMinute}/min`);
        console.log(`  webhook ${app.webhookUrl ?? '(none)'}; database role ${app.dbRole ?? '(none)'}`);
        if (app.redirectUris.length > 0) {
          console.log(`  sign-in: ${app.clientType} client; scopes ${app.oidcScopes.join(' ')}`);
          console.log(`    redirect URIs ${app.redirectUris.join(' ')}`);
          if (app.postLogoutRedirectUris.length > 0)
            console.log(`    post-logout redirect URIs ${app.postLogoutRedirectUris.join(' ')}`);
          console.log(
            `    claims: required ${app.requiredClaims.join(' ') || '(none)'}; optional ${app.optionalClaims.join(' ') || '(none)'}`,
          );
          console.log(`    back-channel logout ${app.backchannelLogoutUri ?? '(none)'}`);
        }
      }
      return;
    }
    case 'rotate-secret': {
      const rotated = (await apps.rotateClientSecret(needApp(), actor)) ?? unknown();
      console.log(`New client secret for ${rotated.app.name} (tokens issued before now are refused):`);
      console.log(`  client secret  ${rotated.clientSecret}`);
      return;
    }
    case 'rotate-webhook-secret': {
      const hours = Number(values['overlap-hours'] ?? 24);
      if (!Number.isInteger(hours) || hours < 0 || hours > 720) fail('--overlap-hours is a whole number from 0 to 720');
      const rotated = (await apps.rotateWebhookSecret(needApp(), hours, actor)) ?? unknown();
      if (rotated === 'no-webhook') fail('this app has no webhook');
      console.log(
        `New webhook secret for ${rotated.app.name}; the old one also signs until ${rotated.previousUntil.toISOString()}:`,
      );
      console.log(`  webhook secret ${rotated.webhookSecret}`);
      return;
    }
    case 'disable':
    case 'enable': {
      const app = (await apps.setAppDisabled(needApp(), command === 'disable', actor)) ?? unknown();
      if (command === 'disable') {
        const { revokeDatabaseRole } = await import('../server/apps/db-roles');
        await revokeDatabaseRole(app.name, actor);
      }
      console.log(`${app.name} is ${app.disabledAt ? 'disabled' : 'enabled'}.`);
      if (command === 'enable' && app.dbRole)
        console.log(
          `Its database role ${app.dbRole} stays without login: npm run apps -- grant-db ${app.name} gives it a new password.`,
        );
      return;
    }
    case 'grant-db': {
      const { grantDatabaseRole, DatabaseRoleError } = await import('../server/apps/db-roles');
      let granted;
      try {
        granted = (await grantDatabaseRole(needApp(), actor)) ?? unknown();
      } catch (error) {
        if (error instanceof DatabaseRoleError) fail(error.message);
        throw error;
      }
      console.log(`PostgreSQL role ${granted.role} can read the consent-enforcing views (shared.customers):`);
      console.log(`  ${granted.url}`);
      console.log('The password is shown this once; run grant-db again to rotate it.');
      return;
    }
    case 'deliveries': {
      const { DELIVERY_STATUSES, listDeliveries } = await import('../server/apps/webhooks');
      const status = DELIVERY_STATUSES.find((s) => s === values.status);
      if (values.status !== undefined && !status) fail('--status is pending, delivered, suppressed or dead');
      const rows =
        (await listDeliveries(needApp(), { status, limit: values.limit ? Number(values.limit) : 50 })) ?? unknown();
      if (rows.length === 0) console.log('No delivery.');
      for (const d of rows) {
        const outcome =
          d.status === 'delivered'
            ? `delivered ${d.deliveredAt?.toISOString()}`
            : d.status === 'suppressed'
              ? 'not sent: nothing this app may see'
              : `next ${d.nextAttemptAt.toISOString()}`;
        const last = d.lastStatus || d.lastError ? `  last: ${d.lastStatus ?? ''} ${d.lastError ?? ''}`.trimEnd() : '';
        console.log(
          `#${d.id} ${d.status.padEnd(10)} ${d.type.padEnd(22)} event ${d.eventId}  tries ${d.attempts}  ${outcome}${last}`,
        );
      }
      return;
    }
    case 'redrive': {
      const { redriveDeliveries } = await import('../server/apps/webhooks');
      const count = (await redriveDeliveries(needApp(), values.id ? { ids: values.id } : {}, actor)) ?? unknown();
      console.log(`${count} ${count === 1 ? 'delivery' : 'deliveries'} queued again.`);
      return;
    }
    default:
      fail(command ? `unknown command ${command}\n\n${USAGE}` : USAGE);
  }
}

if (values.help || !command) {
  console.log(USAGE);
  process.exit(0);
}

await withCliDatabase(run);
