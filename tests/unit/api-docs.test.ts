import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { ApiDocs, type ApiDocument } from '@/app/docs/api/api-docs';
import { getOpenApiDocument } from '@/server/apps/api/openapi';
import { PROBLEMS, problemType } from '@/server/apps/api/problem';

describe('/docs/api', () => {
  const doc = getOpenApiDocument() as unknown as ApiDocument;
  const html = renderToStaticMarkup(createElement(ApiDocs, { doc, problems: PROBLEMS }));

  it('renders every endpoint, parameter, schema and scope of the OpenAPI document, in English, without script', () => {
    expect(html).toMatch(/^<main id="main" lang="en"/);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(html).toContain(`<span class="font-mono">${path.replace(/'/g, '&#x27;')}</span>`);
        expect(html, `${method} ${path}`).toContain(op.summary!.replace(/'/g, '&#x27;'));
        for (const p of op.parameters ?? []) expect(html).toContain(`>${p.name}`);
        for (const status of Object.keys(op.responses))
          expect(html).toContain(`<td class="py-1.5 pr-3 font-mono">${status}</td>`);
      }
    }
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    for (const scope of ['customers:read', 'customers:write', 'preferences:write'])
      expect(html).toContain(`>${scope}</td>`);
    // Nested members are shown (an address inside a change).
    expect(html).toContain('>postalCode');
    expect(html).not.toMatch(/<script/i);
  });

  it('explains every problem type at the anchor its type URI names', () => {
    for (const kind of Object.keys(PROBLEMS) as Array<keyof typeof PROBLEMS>) {
      const fragment = new URL(problemType(kind)).hash.slice(1);
      expect(html).toContain(`id="${fragment}"`);
    }
  });
});
