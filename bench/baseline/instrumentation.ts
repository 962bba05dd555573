// As with proxy.ts: without a file of its own, Next.js would take the
// repository's instrumentation hook (Accord's environment check) for this app.
export function register() {}
