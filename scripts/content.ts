// `npm run content -- <command>`: the home page's personalized content as a file.
// Uses DATABASE_URL, else the embedded PostgreSQL in .data/ (started and stopped
// around the command when it was not running). docs/personalization.md "Content"
import fs from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { AuditActor } from '../server/platform/audit';
import { repoRoot } from './db/postgres';
import { withCliDatabase } from './db/prepare';

const USAGE = `Usage: npm run content -- <command> [options]

  import <file> [--draft] [--dry-run]
                            blocks, segments and settings from a content file (examples/content/home.json
                            shows the format; images are paths relative to the file). Everything is checked
                            before anything is written, in one transaction; a changed body becomes a new
                            revision and is published (pending a second person with
                            CONTENT_APPROVAL=second-person) unless --draft. Keys the file does not name are
                            left alone. --dry-run checks and reports, and writes nothing.
  export [--out <dir>]      the live content as <dir>/content.json and <dir>/images/ (default ./content-export)
  list                      blocks, segments and settings: live and latest revision, pending publications`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    draft: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const [command, target] = positionals;

// Changes made here are audited as the console's are, under the operator's login.
const actor: AuditActor = { type: 'cli', label: `cli:${userInfo().username}` };

function fail(message: string): never {
  console.error(`content: ${message}`);
  process.exit(1);
}

/** The English text of a message key (the validation speaks in keys); other messages as they are. */
function english(message: string): string {
  if (!message.startsWith('console.')) return message;
  try {
    let node: unknown = JSON.parse(fs.readFileSync(path.join(repoRoot, 'messages/en.json'), 'utf8'));
    for (const part of message.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    return typeof node === 'string' ? `${node} (${message})` : message;
  } catch {
    return message;
  }
}

async function run(): Promise<void> {
  switch (command) {
    case 'import': {
      const file = target ?? fail(`import needs a file\n\n${USAGE}`);
      const { importContentFile } = await import('../server/personalization/content-file');
      const dryRun = values['dry-run'] ?? false;
      const result = await importContentFile(actor, file, { draft: values.draft ?? false, dryRun });
      if (!result.ok) {
        for (const issue of result.issues) console.error(`${file}#${issue.path}: ${english(issue.message)}`);
        console.error(
          `content: ${result.issues.length} error${result.issues.length === 1 ? '' : 's'}; nothing was written.`,
        );
        // Not process.exit: the embedded database this command started stops first.
        process.exitCode = 1;
        return;
      }
      for (const c of result.changes) {
        const publication =
          c.publication === 'applied' ? ', published' : c.publication === 'pending' ? ', awaiting approval' : '';
        console.log(`${c.outcome.padEnd(9)} ${c.type.padEnd(8)} ${c.key} (revision ${c.revision}${publication})`);
      }
      console.log(dryRun ? 'Dry run: nothing was written.' : `Imported ${result.changes.length} objects from ${file}.`);
      return;
    }
    case 'export': {
      const { exportContentFile } = await import('../server/personalization/content-file');
      const exported = await exportContentFile(path.resolve(values.out ?? 'content-export'));
      console.log(`Wrote ${exported.file}: ${exported.objects} live objects, ${exported.images} images.`);
      if (exported.notLive.length > 0) console.log(`Not live, not exported: ${exported.notLive.join(', ')}`);
      return;
    }
    case 'list': {
      const { listContent } = await import('../server/personalization/content');
      const { prisma } = await import('../server/platform/db');
      const state = await prisma.contentState.findUnique({ where: { id: 1 } });
      const all = await listContent();
      console.log(`Content version ${state?.version ?? '?'}.`);
      if (all.length === 0) console.log('No content yet: npm run content -- import examples/content/home.json');
      for (const o of all) {
        const live = o.live ? `live r${o.live.number}` : 'not live';
        const latest = o.latest.number !== o.live?.number ? `, latest r${o.latest.number}` : '';
        const pending = o.pending ? `, pending publication #${o.pending.id} by ${o.pending.requestedByLabel}` : '';
        console.log(`${o.type.padEnd(8)} ${(o.slot ?? '').padEnd(15)} ${o.key}  ${live}${latest}${pending}`);
      }
      return;
    }
    default:
      fail(command ? `unknown command ${command}\n\n${USAGE}` : USAGE);
  }
}

if (values.help || !command) {
  console.log(USAGE);
  process.exit(0);
}

await withCliDatabase(run);
