// What a server action call may carry, checked by proxy.ts before Next.js decodes
// it: the arguments as React's encodeReply sends this app's forms' values. Next.js
// applies the action to whatever the body decodes to, and React's decoder throws on
// references to parts the body does not have: either way a 500 (found by npm run
// test:attack). docs/attack-protection.md, "Scanner and fuzzer".

/**
 * Strings React's decoder reads as something else. Plain values come as themselves
 * (a string starting with "$" escaped as "$$…"), special numbers, undefined and dates
 * as tokens that decode without fail; in a multipart body, FormData arguments as
 * "$K<n>". Anything else refers to parts this app's forms never send.
 */
const SPECIAL = /^\$(?:\$|undefined$|NaN$|-?Infinity$|-0$|n-?\d+$|D)/;

function plainValue(value: unknown, multipart: boolean): boolean {
  if (typeof value === 'string')
    return !value.startsWith('$') || SPECIAL.test(value) || (multipart && /^\$K\d+$/.test(value));
  if (Array.isArray(value)) return value.every((item) => plainValue(item, multipart));
  if (value && typeof value === 'object') return Object.values(value).every((item) => plainValue(item, multipart));
  return true;
}

/** The root of the reply (the JSON text, or a multipart body's one "0" field) is a list of plain arguments. */
export function wellFormedActionReply(root: string | null, multipart: boolean): boolean {
  if (root === null) return false;
  try {
    const args: unknown = JSON.parse(root);
    return Array.isArray(args) && plainValue(args, multipart);
  } catch {
    return false;
  }
}
