import type { ReactNode } from 'react';

// The API reference, rendered on the server from the OpenAPI document itself
// (server/apps/api/openapi.ts, also served at /api/v1/openapi.json): nothing here
// can disagree with what the routes validate. No client script. The problem
// types' URIs (server/apps/api/problem.ts) point at the #problem-<kind> anchors.

type Schema = {
  $ref?: string;
  type?: string | string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  propertyNames?: Schema;
  description?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
  example?: unknown;
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Media = { schema?: Schema };
type ResponseObject = {
  description: string;
  headers?: Record<string, { description?: string; schema?: Schema; required?: boolean }>;
  content?: Record<string, Media>;
};
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, Media> };
  responses: Record<string, ResponseObject>;
};
export type ApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<
      string,
      {
        type: string;
        description?: string;
        flows?: { clientCredentials?: { tokenUrl: string; scopes: Record<string, string> } };
      }
    >;
  };
};

const refName = (ref: string) => ref.split('/').at(-1) ?? ref;
const anchor = (name: string) => `schema-${name}`;
const opAnchor = (method: string, path: string) =>
  `op-${method}-${path.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '')}`;

const METHOD_STYLES: Record<string, string> = {
  get: 'bg-sky-100 text-sky-900',
  post: 'bg-emerald-100 text-emerald-900',
  patch: 'bg-amber-100 text-amber-900',
  put: 'bg-amber-100 text-amber-900',
  delete: 'bg-rose-100 text-rose-900',
};

function Code({ children }: { children: ReactNode }) {
  return <code className="rounded bg-black/5 px-1 py-0.5 font-mono text-[0.85em]">{children}</code>;
}

/** A schema's type in words, with links to named schemas. */
function TypeLabel({ schema }: { schema: Schema | undefined }): ReactNode {
  if (!schema) return <span className="text-muted">any</span>;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return (
      <a className="font-mono text-brand underline" href={`#${anchor(name)}`}>
        {name}
      </a>
    );
  }
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    return union.map((s, i) => (
      <span key={i}>
        {i > 0 ? ' or ' : ''}
        <TypeLabel schema={s} />
      </span>
    ));
  }
  if (schema.const !== undefined) return <Code>{JSON.stringify(schema.const)}</Code>;
  if (schema.enum) {
    return (
      <span>
        one of{' '}
        {schema.enum.map((v, i) => (
          <span key={i}>
            {i > 0 ? ', ' : ''}
            <Code>{JSON.stringify(v)}</Code>
          </span>
        ))}
      </span>
    );
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('array')) {
    return (
      <span>
        array of <TypeLabel schema={schema.items} />
      </span>
    );
  }
  if (schema.propertyNames && typeof schema.additionalProperties === 'object') {
    return (
      <span>
        map from <TypeLabel schema={schema.propertyNames} /> to <TypeLabel schema={schema.additionalProperties} />
      </span>
    );
  }
  return <span className="font-mono">{types.join(' or ') || 'any'}</span>;
}

function constraints(schema: Schema | undefined): string[] {
  if (!schema) return [];
  const out: string[] = [];
  if (schema.format) out.push(`format ${schema.format}`);
  if (schema.minLength !== undefined) out.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) out.push(`at most ${schema.maxLength} characters`);
  if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) out.push(`≤ ${schema.maximum}`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.pattern && schema.format === undefined) out.push(`pattern ${schema.pattern}`);
  for (const s of schema.anyOf ?? []) out.push(...constraints(s));
  return out;
}

/** The object schema inside a nullable union, if any (an address or null). */
function objectOf(schema: Schema): Schema | null {
  if (schema.properties) return schema;
  const inner = (schema.anyOf ?? []).find((s) => s.properties);
  return inner ?? null;
}

function Properties({ schema, depth = 0 }: { schema: Schema; depth?: number }) {
  const required = new Set(schema.required ?? []);
  return (
    <table className="w-full border-collapse text-left text-sm">
      <thead>
        <tr className="border-b border-black/10 text-muted">
          <th scope="col" className="py-1 pr-3 font-medium">
            Member
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Type
          </th>
          <th scope="col" className="py-1 font-medium">
            Notes
          </th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(schema.properties ?? {}).map(([name, property]) => {
          const nested = depth < 3 ? objectOf(property) : null;
          const notes = constraints(property);
          return (
            <tr key={name} className="border-b border-black/5 align-top">
              <td className="py-1.5 pr-3 font-mono">
                {name}
                {required.has(name) ? <span className="ml-1 text-xs text-rose-800">required</span> : null}
              </td>
              <td className="py-1.5 pr-3">
                {nested && !property.$ref ? (
                  property.anyOf ? (
                    'object or null'
                  ) : (
                    'object'
                  )
                ) : (
                  <TypeLabel schema={property} />
                )}
              </td>
              <td className="py-1.5">
                {property.description ? <p>{property.description}</p> : null}
                {notes.length > 0 ? <p className="text-muted">{notes.join('; ')}</p> : null}
                {nested && !property.$ref ? (
                  <div className="mt-1 border-l-2 border-black/10 pl-3">
                    <Properties schema={nested} depth={depth + 1} />
                  </div>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const scopes = (op.security ?? []).flatMap((r) =>
    Object.entries(r).flatMap(([scheme, s]) => (scheme === 'oauth2' ? s : [])),
  );
  const basicAuth = (op.security ?? []).some((r) => 'clientBasic' in r);
  return (
    <section
      id={opAnchor(method, path)}
      aria-labelledby={`${opAnchor(method, path)}-title`}
      className="rounded-lg border border-black/10 bg-white p-5"
    >
      <h3 id={`${opAnchor(method, path)}-title`} className="flex flex-wrap items-center gap-2 text-lg font-semibold">
        <span className={`rounded px-2 py-0.5 font-mono text-sm uppercase ${METHOD_STYLES[method] ?? 'bg-black/5'}`}>
          {method}
        </span>
        <span className="font-mono">{path}</span>
      </h3>
      {op.summary ? <p className="mt-1 font-medium">{op.summary}</p> : null}
      {op.description ? <p className="mt-2 text-sm">{op.description}</p> : null}
      <p className="mt-2 text-sm">
        {scopes.length > 0 ? (
          <>
            Scope:{' '}
            {scopes.map((s) => (
              <Code key={s}>{s}</Code>
            ))}
          </>
        ) : basicAuth ? (
          'Client authentication: HTTP Basic, or client_id and client_secret in the form.'
        ) : (
          'No authentication.'
        )}
      </p>

      {op.parameters && op.parameters.length > 0 ? (
        <>
          <h4 className="mt-4 text-sm font-semibold">Parameters</h4>
          <table className="mt-1 w-full border-collapse text-left text-sm">
            <thead>
              <tr className="border-b border-black/10 text-muted">
                <th scope="col" className="py-1 pr-3 font-medium">
                  Name
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  In
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Type
                </th>
                <th scope="col" className="py-1 font-medium">
                  Notes
                </th>
              </tr>
            </thead>
            <tbody>
              {op.parameters.map((p) => (
                <tr key={`${p.in}-${p.name}`} className="border-b border-black/5 align-top">
                  <td className="py-1.5 pr-3 font-mono">
                    {p.name}
                    {p.required ? <span className="ml-1 text-xs text-rose-800">required</span> : null}
                  </td>
                  <td className="py-1.5 pr-3">{p.in}</td>
                  <td className="py-1.5 pr-3">
                    <TypeLabel schema={p.schema} />
                  </td>
                  <td className="py-1.5">
                    {p.description ? <p>{p.description}</p> : null}
                    {constraints(p.schema).length > 0 ? (
                      <p className="text-muted">{constraints(p.schema).join('; ')}</p>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}

      {op.requestBody ? (
        <>
          <h4 className="mt-4 text-sm font-semibold">Request body{op.requestBody.required ? '' : ' (optional)'}</h4>
          <ul className="mt-1 text-sm">
            {Object.entries(op.requestBody.content).map(([type, media]) => (
              <li key={type}>
                <Code>{type}</Code>: <TypeLabel schema={media.schema} />
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h4 className="mt-4 text-sm font-semibold">Responses</h4>
      <table className="mt-1 w-full border-collapse text-left text-sm">
        <thead>
          <tr className="border-b border-black/10 text-muted">
            <th scope="col" className="py-1 pr-3 font-medium">
              Status
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Meaning
            </th>
            <th scope="col" className="py-1 font-medium">
              Body and headers
            </th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(op.responses).map(([status, response]) => (
            <tr key={status} className="border-b border-black/5 align-top">
              <td className="py-1.5 pr-3 font-mono">{status}</td>
              <td className="py-1.5 pr-3">{response.description}</td>
              <td className="py-1.5">
                {Object.entries(response.content ?? {}).map(([type, media]) => (
                  <p key={type}>
                    <Code>{type}</Code> {media.schema ? <TypeLabel schema={media.schema} /> : null}
                  </p>
                ))}
                {Object.entries(response.headers ?? {}).map(([name, header]) => (
                  <p key={name} className="text-muted">
                    <Code>{name}</Code> {header.description ?? header.schema?.description ?? ''}
                  </p>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export type ProblemCatalogue = Record<string, { status: number; title: string; help: string }>;

/** The whole reference, from the OpenAPI document and the problem catalogue. */
export function ApiDocs({ doc, problems }: { doc: ApiDocument; problems: ProblemCatalogue }) {
  const base = doc.servers?.[0]?.url ?? '';
  const oauth = doc.components.securitySchemes.oauth2?.flows?.clientCredentials;
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

  return (
    <main id="main" lang="en" className="mx-auto max-w-5xl px-4 py-10 text-ink">
      <header>
        <p className="text-sm text-muted">
          OpenAPI {doc.openapi} · version {doc.info.version}
        </p>
        <h1 className="mt-1 text-3xl font-bold">{doc.info.title}</h1>
        {doc.info.description ? <p className="mt-3 max-w-3xl">{doc.info.description}</p> : null}
        <p className="mt-3 text-sm">
          Base URL <Code>{base}</Code> · machine-readable:{' '}
          <a className="text-brand underline" href="/api/v1/openapi.json">
            /api/v1/openapi.json
          </a>
        </p>
      </header>

      <nav aria-label="Contents" className="mt-8 rounded-lg border border-black/10 bg-white p-5 text-sm">
        <h2 className="font-semibold">Contents</h2>
        <ul className="mt-2 grid gap-1 sm:grid-cols-2">
          <li>
            <a className="underline" href="#authentication">
              Authentication and scopes
            </a>
          </li>
          {operations.map(({ path, method, op }) => (
            <li key={`${method} ${path}`}>
              <a className="underline" href={`#${opAnchor(method, path)}`}>
                <span className="font-mono uppercase">{method}</span> <span className="font-mono">{path}</span>
              </a>
              {op.summary ? <span className="text-muted"> · {op.summary}</span> : null}
            </li>
          ))}
          <li>
            <a className="underline" href="#schemas">
              Schemas
            </a>
          </li>
          <li>
            <a className="underline" href="#problems">
              Problems (errors)
            </a>
          </li>
        </ul>
      </nav>

      <section id="authentication" aria-labelledby="authentication-title" className="mt-10">
        <h2 id="authentication-title" className="text-2xl font-semibold">
          Authentication and scopes
        </h2>
        <p className="mt-2 max-w-3xl">
          Each app is registered by an administrator (<Code>npm run apps -- create …</Code>), which prints its client id
          and secret once. The app exchanges them for an access token at <Code>{oauth?.tokenUrl}</Code> (OAuth 2.0
          client credentials) and sends it on every request as <Code>Authorization: Bearer &lt;token&gt;</Code>.{' '}
          {doc.components.securitySchemes.oauth2?.description}
        </p>
        <pre className="mt-4 overflow-x-auto rounded-lg bg-neutral-900 p-4 text-sm text-neutral-100">
          {`curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials ${oauth?.tokenUrl ?? ''}\n` +
            `curl -s -H "Authorization: Bearer $TOKEN" ${base}/api/v1/customers/$CUSTOMER_ID -i`}
        </pre>
        <table className="mt-4 w-full border-collapse text-left text-sm">
          <caption className="text-left font-semibold">Scopes</caption>
          <thead>
            <tr className="border-b border-black/10 text-muted">
              <th scope="col" className="py-1 pr-3 font-medium">
                Scope
              </th>
              <th scope="col" className="py-1 font-medium">
                Allows
              </th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(oauth?.scopes ?? {}).map(([scope, text]) => (
              <tr key={scope} className="border-b border-black/5">
                <td className="py-1.5 pr-3 font-mono">{scope}</td>
                <td className="py-1.5">{text}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="mt-4 max-w-3xl text-sm">
          Consent decides what an app sees: each app declares, for each field it needs, the purposes it uses it for; a
          field is visible while the customer has granted one of them, and nothing is visible once the customer withdrew
          the app. The <Code>access</Code> member of a customer lists what is visible now and why. Every read is shown
          to the customer in their privacy dashboard.
        </p>
      </section>

      <section aria-labelledby="endpoints-title" className="mt-10">
        <h2 id="endpoints-title" className="text-2xl font-semibold">
          Endpoints
        </h2>
        <div className="mt-4 grid gap-6">
          {operations.map(({ path, method, op }) => (
            <OperationView key={`${method} ${path}`} method={method} path={path} op={op} />
          ))}
        </div>
      </section>

      <section id="schemas" aria-labelledby="schemas-title" className="mt-10">
        <h2 id="schemas-title" className="text-2xl font-semibold">
          Schemas
        </h2>
        <div className="mt-4 grid gap-6">
          {Object.entries(doc.components.schemas).map(([name, schema]) => (
            <section
              key={name}
              id={anchor(name)}
              aria-labelledby={`${anchor(name)}-title`}
              className="rounded-lg border border-black/10 bg-white p-5"
            >
              <h3 id={`${anchor(name)}-title`} className="font-mono text-lg font-semibold">
                {name}
              </h3>
              {schema.description ? <p className="mt-1 text-sm">{schema.description}</p> : null}
              <div className="mt-3">
                {objectOf(schema) ? (
                  <Properties schema={objectOf(schema)!} />
                ) : (
                  <p className="text-sm">
                    <TypeLabel schema={schema} />
                  </p>
                )}
              </div>
              {schema.additionalProperties === false ? (
                <p className="mt-2 text-xs text-muted">No other members.</p>
              ) : null}
            </section>
          ))}
        </div>
      </section>

      <section id="problems" aria-labelledby="problems-title" className="mt-10">
        <h2 id="problems-title" className="text-2xl font-semibold">
          Problems (errors)
        </h2>
        <p className="mt-2 max-w-3xl">
          Errors of the customer endpoints are RFC 9457 problem details (<Code>application/problem+json</Code>) whose{' '}
          <Code>type</Code> is one of the URIs below; validation errors list each refused member in <Code>errors</Code>{' '}
          with a JSON pointer and a stable code. The token endpoint answers with the OAuth 2.0 error body instead (
          <Code>error</Code>, <Code>error_description</Code>).
        </p>
        <dl className="mt-4 grid gap-3">
          {Object.entries(problems).map(([kind, p]) => (
            <div key={kind} id={`problem-${kind}`} className="rounded-lg border border-black/10 bg-white p-4">
              <dt className="font-semibold">
                <span className="font-mono">{p.status}</span> {p.title}{' '}
                <span className="font-mono text-xs text-muted">#problem-{kind}</span>
              </dt>
              <dd className="mt-1 text-sm">{p.help}</dd>
            </div>
          ))}
        </dl>
      </section>
    </main>
  );
}
