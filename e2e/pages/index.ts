/**
 * Page objects for the customer journeys: what a customer does on each page, by role and
 * label, through the UI and real mail only (no database). Used by the QA flows (e2e/flows/,
 * docs/qa.md) and by specs of the e2e suite.
 */
export { AccountPage } from './account-page';
export { Mailbox, SIGN_IN_SUBJECT } from './mailbox';
export { PrivacyPage } from './privacy-page';
export { ProfilePage, type PersonalDetails } from './profile-page';
export { PASSKEY_NAME, SecurityPage } from './security-page';
export { SignInPage } from './sign-in-page';
export { ROUND_TRIPS_TIMEOUT } from './timeouts';
export { WelcomePage } from './welcome-page';
