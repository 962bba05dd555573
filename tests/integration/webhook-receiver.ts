// A real HTTP receiver for the webhook tests, on 127.0.0.1 and a random port.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type ReceivedWebhook = {
  /** Path and query, to tell apart apps that share this receiver. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  /** webhook-id */
  id: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  at: number;
};

/** The status to answer, or 'hang' to never answer (the connection stays open until close()). */
export type Answer = number | 'hang';

export type Receiver = {
  url: string;
  received: ReceivedWebhook[];
  /** How the next requests are answered. */
  answer: (fn: (request: ReceivedWebhook) => Answer | Promise<Answer>) => void;
  /** Resolves once `predicate` holds for what was received, or throws after timeoutMs. */
  waitFor: (predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  let answerFn: (request: ReceivedWebhook) => Answer | Promise<Answer> = () => 204;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: ReceivedWebhook['json'];
      try {
        json = JSON.parse(body) as ReceivedWebhook['json'];
      } catch {
        json = { type: 'unparsable', timestamp: '', data: {} };
      }
      const request: ReceivedWebhook = {
        url: req.url ?? '',
        headers: req.headers,
        body,
        id: String(req.headers['webhook-id'] ?? ''),
        json,
        at: Date.now(),
      };
      received.push(request);
      void Promise.resolve(answerFn(request)).then((answer) => {
        if (answer === 'hang') return;
        res.writeHead(answer).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    answer: (fn) => {
      answerFn = fn;
    },
    waitFor: async (predicate, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(`receiver: condition not met after ${timeoutMs} ms (${received.length} received)`);
        await sleep(20);
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
