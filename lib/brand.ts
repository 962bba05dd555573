// The brand's identity, in one place: name, logo and colours. A brand running
// Accord edits this file (and public/brand/) and nothing else.
// Colours are checked for WCAG 2.2 AA contrast in tests/unit/brand.test.ts.
export const brand = {
  name: 'Accord',
  logo: { src: '/brand/logo.svg', width: 32, height: 32 },
  colors: {
    // Buttons and links: text on `primary` uses `onPrimary`.
    primary: '#1d4ed8',
    onPrimary: '#ffffff',
    // Page background and body text.
    background: '#f8fafc',
    text: '#0f172a',
    muted: '#475569',
  },
  supportEmail: 'support@example.com',
  // Dates and times on pages and in mails (IANA zone name).
  timeZone: 'Europe/Paris',
  termsUrl: '/legal/terms',
  privacyUrl: '/legal/privacy',
} as const;
