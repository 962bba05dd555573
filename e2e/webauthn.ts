/**
 * A Chromium virtual authenticator for passkey specs, driven through the DevTools
 * protocol's WebAuthn domain (https://chromedevtools.github.io/devtools-protocol/tot/WebAuthn/):
 * a platform authenticator (ctap2, internal transport) with resident keys and user
 * verification that answers every ceremony by itself, like a customer touching the
 * fingerprint reader at once.
 *
 *   const authenticator = await addVirtualAuthenticator(page);
 *   … register, sign in …
 *   expect(await authenticator.credentials()).toHaveLength(1);
 *
 * It also answers conditional-mediation (autofill) requests at once, without any
 * focus or click: a page holding a passkey for the account signs in by itself as soon
 * as /signin loads. With no matching credential it rejects such a request at once
 * (a real browser would keep it pending).
 *
 * The authenticator belongs to the page (its tab): it survives navigations and
 * goes away with the page. Relying-party ids cannot be IP addresses, so the app
 * must be reached at http://localhost, never 127.0.0.1.
 */
import type { CDPSession, Page } from '@playwright/test';

/** A credential as the authenticator holds it (WebAuthn.Credential). */
export type VirtualCredential = {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
};

export type VirtualAuthenticator = {
  readonly id: string;
  readonly cdp: CDPSession;
  /** The credentials it holds, with their signature counters. */
  credentials(): Promise<VirtualCredential[]>;
  /** The one credential it holds (fails when it holds none or several). */
  credential(): Promise<VirtualCredential>;
  /** Puts a credential (e.g. one taken from another authenticator: a clone) into this one. */
  addCredential(credential: VirtualCredential): Promise<void>;
  /** Forgets every credential, as a wiped device would. */
  clearCredentials(): Promise<void>;
  /** Whether the "touch" succeeds: false makes user verification fail. */
  setUserVerified(verified: boolean): Promise<void>;
  /** Removes the authenticator: the browser then has no passkey to offer. */
  remove(): Promise<void>;
};

export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    id: authenticatorId,
    cdp,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials as VirtualCredential[];
    },
    async credential() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      if (credentials.length !== 1)
        throw new Error(`The virtual authenticator holds ${credentials.length} credentials, not one`);
      return credentials[0] as VirtualCredential;
    },
    async addCredential(credential) {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
    async clearCredentials() {
      await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    },
    async setUserVerified(isUserVerified) {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
    },
    async remove() {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}

/** One navigator.credentials.get/create call the page made, and how it ended. */
export type CredentialRequest = {
  kind: 'get' | 'create';
  /** 'conditional' for the autofill request; undefined for a modal one. */
  mediation: string | undefined;
  /** 'pending', 'resolved', or 'rejected: <DOMException name>'. */
  outcome: string;
};

declare global {
  interface Window {
    __credentialRequests?: CredentialRequest[];
  }
}

/**
 * Records every WebAuthn request of every document the page loads from now on
 * (an init script wraps navigator.credentials.get and create; the browser's own
 * implementation still answers). Read them with `credentialRequests(page)`.
 */
export async function recordCredentialRequests(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const requests: CredentialRequest[] = [];
    window.__credentialRequests = requests;
    const container = navigator.credentials;
    for (const kind of ['get', 'create'] as const) {
      const original = container[kind].bind(container);
      container[kind] = (options?: CredentialRequestOptions & CredentialCreationOptions) => {
        const request: CredentialRequest = { kind, mediation: options?.mediation, outcome: 'pending' };
        requests.push(request);
        const result = original(options);
        result.then(
          () => (request.outcome = 'resolved'),
          (error: unknown) => (request.outcome = `rejected: ${error instanceof Error ? error.name : String(error)}`),
        );
        return result;
      };
    }
  });
}

/** The WebAuthn requests the current document made, oldest first. */
export async function credentialRequests(page: Page): Promise<CredentialRequest[]> {
  return page.evaluate(() => (window.__credentialRequests ?? []).map((r) => ({ ...r })));
}
