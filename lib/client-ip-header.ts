/**
 * The header scripts/client-address.ts sets on every request to the client's
 * address, after dropping any copy the client sent; server/platform/request-context.ts reads it.
 */
export const CLIENT_IP_HEADER = 'x-accord-client-ip';
