import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

import { relyingParty } from '@/server/identity/webauthn-config';

// A passkey in software (ES256, "none" attestation, user present and, unless
// told otherwise, verified), so integration tests run real ceremonies through
// server/identity/passkeys.ts without a browser. The e2e specs use Chromium's
// virtual authenticator instead.

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const UP = 0x01;
const UV = 0x04;
const UP_UV = UP | UV;
const ATTESTED = 0x40;

export class SoftwareAuthenticator {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly credentialId = randomBytes(16);
  private counter = 0;

  constructor() {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: relyingParty().origin, crossOrigin: false }));
  }

  private authenticatorData(flags: number, attested?: Uint8Array): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(relyingParty().id), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  /** A registration; `userVerified: false` clears the UV flag (presence only). */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    opts: { userVerified?: boolean } = {},
  ): RegistrationResponseJSON {
    const jwk = this.publicKey.export({ format: 'jwk' });
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, isoCBOR.encode(coseKey)]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', this.authenticatorData((opts.userVerified === false ? UP : UP_UV) | ATTESTED, attested)],
      ]) as Parameters<typeof isoCBOR.encode>[0],
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /**
   * An assertion: `userVerified: false` clears the UV flag (presence only);
   * `counter` sets the signature counter it reports (a clone's, behind);
   * `forged` signs with another key, as someone without the passkey would.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    opts: { userVerified?: boolean; counter?: number; forged?: boolean } = {},
  ): AuthenticationResponseJSON {
    this.counter = opts.counter ?? this.counter + 1;
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    const authenticatorData = this.authenticatorData(opts.userVerified === false ? UP : UP_UV);
    const key = opts.forged ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : this.privateKey;
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), key);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
      },
      clientExtensionResults: {},
    };
  }
}
