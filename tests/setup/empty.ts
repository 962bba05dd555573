// Stands in for `server-only`, which throws outside React Server Components.
export {};
