import type { Metadata } from 'next';
import { connection } from 'next/server';

import { getOpenApiDocument } from '@/server/apps/api/openapi';
import { PROBLEMS } from '@/server/apps/api/problem';

import { ApiDocs, type ApiDocument } from './api-docs';

// Developer documentation of the apps' API (docs/api.md), in English only.

export const metadata: Metadata = {
  title: 'API for the brand\u2019s apps',
  description:
    'Accord REST API v1: OAuth 2.0 client credentials, customers filtered by consent, If-Match writes, problem details.',
};

export default async function ApiDocsPage() {
  // The document names this deployment's URL: build it at request time.
  await connection();
  return <ApiDocs doc={getOpenApiDocument() as unknown as ApiDocument} problems={PROBLEMS} />;
}
