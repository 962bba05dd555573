// Runs the webhook worker (WEBHOOK_WORKER=on, the default), and loads the
// server/ modules the start and the stop need, inside scripts/http-server.ts.
// That process runs without the react-server condition, which Next.js needs to resolve React for itself, so `import 'server-only'` in
// server/ would throw there. A module-resolution hook hands server/ modules,
// and only them, the package's own empty module: what the react-server
// condition selects anyway. Next's bundles never go through Node's resolver
// for it, so they keep their own check.
// docs/decisions/018-webhook-delivery.md
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const serverDir = new URL('../server/', import.meta.url).href;

let hookRegistered = false;
function registerServerOnlyHook() {
  if (hookRegistered) return;
  // The package exports only ".": find its folder through the default entry.
  const entry = createRequire(import.meta.url).resolve('server-only');
  const emptyModule = pathToFileURL(path.join(path.dirname(entry), 'empty.js')).href;
  const hook = `export async function resolve(specifier, context, nextResolve) {
    if (specifier === 'server-only' && context.parentURL?.startsWith(${JSON.stringify(serverDir)})) {
      return { url: ${JSON.stringify(emptyModule)}, shortCircuit: true };
    }
    return nextResolve(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  hookRegistered = true;
}

/** Loads a server/ module in this process (env, health, db for the shutdown). */
export async function importServerModule<T>(load: () => Promise<T>): Promise<T> {
  registerServerOnlyHook();
  return load();
}

/** Starts the worker, the mail queue's retries (server/mail/queue.ts), due support recoveries (server/support/recovery.ts) and the housekeeping (server/platform/housekeeping.ts); returns their stop function, or null when it could not start (logged). */
export async function startInProcessWebhookWorker(): Promise<(() => Promise<void>) | null> {
  try {
    const { startWebhookWorker } = await importServerModule(() => import('../server/apps/webhooks/worker'));
    const { startHousekeeping } = await importServerModule(() => import('../server/platform/housekeeping'));
    const { startMailWorker } = await importServerModule(() => import('../server/mail/queue'));
    const { startRecoveryWorker } = await importServerModule(() => import('../server/support/recovery'));
    const { getLogger } = await importServerModule(() => import('../server/platform/log'));
    const log = getLogger().child({ component: 'webhooks' });
    const worker = startWebhookWorker();
    const stopHousekeeping = startHousekeeping();
    const stopMailWorker = startMailWorker();
    const stopRecoveryWorker = startRecoveryWorker();
    void worker.listening.then(() => log.info('worker running in this process (WEBHOOK_WORKER=on)'));
    return async () => {
      await Promise.all([worker.stop(), stopHousekeeping(), stopMailWorker(), stopRecoveryWorker()]);
    };
  } catch (error) {
    const { getLogger } = await importServerModule(() => import('../server/platform/log'));
    getLogger().error(
      { component: 'webhooks' },
      `worker not started: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  }
}
