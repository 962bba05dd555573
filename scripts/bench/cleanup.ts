// Everything the benchmark starts is stopped again, in reverse order, also on Ctrl-C.

const steps: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(step: () => Promise<void>): void {
  steps.push(step);
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`[bench] cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}

export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n[bench] ${signal}: stopping`);
      void cleanup().then(() => process.exit(130));
    });
  }
}
