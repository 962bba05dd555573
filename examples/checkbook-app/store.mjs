// Checkbook's in-memory copy of the customers it has seen, as Accord shares
// them. A copy only: Accord is the system of record, and a restart simply
// reads the customer again on the next page view.

/**
 * @typedef {{ type: string, at: Date, eventAt?: number }} Source
 * @typedef {{ state: 'shared' | 'none' | 'deleted', customer: Record<string, any> | null, source: Source }} Entry
 */

export function createStore() {
  /** @type {Map<string, Entry>} */
  const entries = new Map();
  /** @type {Set<(id: string, entry: Entry) => void>} */
  const listeners = new Set();

  function set(id, entry) {
    entries.set(id, entry);
    for (const listener of listeners) listener(id, entry);
  }

  /**
   * Is the incoming copy older than the one kept? Webhooks are delivered at
   * least once and not necessarily in order; the customer's version orders
   * profile changes, and for the same version (a consent change moves no
   * version) the event's own timestamp decides.
   */
  function isStale(current, customer, eventAt) {
    if (!current) return false;
    if (current.state === 'deleted') return true;
    if (!current.customer || !customer)
      return eventAt !== undefined && current.source.eventAt !== undefined && eventAt < current.source.eventAt;
    if (customer.version !== current.customer.version) return customer.version < current.customer.version;
    return eventAt !== undefined && current.source.eventAt !== undefined && eventAt < current.source.eventAt;
  }

  return {
    get: (id) => entries.get(id),
    list: () => [...entries],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * A customer read through the API (null: Accord shares nothing of them
     * with this app), by a read that started at `requestedAt`.
     */
    fromApi(id, customer, requestedAt) {
      const current = entries.get(id);
      // A webhook that arrived while the read was on its way is at least as new.
      if (current && (current.state === 'deleted' || current.source.at >= requestedAt)) return current;
      const entry = { state: customer ? 'shared' : 'none', customer, source: { type: 'api', at: new Date() } };
      set(id, entry);
      return entry;
    },

    /**
     * A verified webhook. The copy is replaced by `data.customer` as a whole:
     * a field Accord no longer shares (consent withdrawn) is absent there, so
     * it disappears here too.
     */
    fromWebhook(event) {
      const id = event?.data?.customerId;
      if (typeof id !== 'string') return;
      const eventAt = Date.parse(event.timestamp);
      const source = { type: String(event.type), at: new Date(), eventAt: Number.isNaN(eventAt) ? undefined : eventAt };
      if (event.type === 'customer.deleted') {
        set(id, { state: 'deleted', customer: null, source });
        return;
      }
      const customer = event.data.customer ?? null;
      if (isStale(entries.get(id), customer, source.eventAt)) return;
      set(id, { state: customer ? 'shared' : 'none', customer, source });
    },
  };
}

/** webhook-ids already handled: a redelivery of one is acknowledged and ignored. */
export function createDeduper({ maxEntries = 10_000, ttlMs = 24 * 60 * 60 * 1000 } = {}) {
  /** @type {Map<string, number>} insertion-ordered: the oldest first */
  const seen = new Map();
  return {
    /** True the first time an id is seen. */
    first(id) {
      const now = Date.now();
      for (const [key, at] of seen) {
        if (seen.size <= maxEntries && now - at < ttlMs) break;
        seen.delete(key);
      }
      if (seen.has(id)) return false;
      seen.set(id, now);
      return true;
    },
  };
}
