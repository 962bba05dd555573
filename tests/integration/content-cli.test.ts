import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { beforeAll, describe, expect, it } from 'vitest';

import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { prisma } from '@/server/platform/db';

// `npm run content` as an operator runs it: a real process on this worker's database.
const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const example = path.join(root, 'examples/content/home.json');

async function content(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--conditions=react-server', 'scripts/content.ts', ...args],
      { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type ContentFile = { blocks: Array<Record<string, unknown>>; segments: Array<Record<string, unknown>> };

/** The example file with keys of its own, in a folder of its own (images copied beside it). */
async function exampleCopy(edit: (file: ContentFile, tag: string) => void = () => {}) {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'content-cli-'));
  await fs.cp(path.join(root, 'examples/content/images'), path.join(dir, 'images'), { recursive: true });
  const tag = randomUUID().slice(0, 6);
  const file = JSON.parse(await fs.readFile(example, 'utf8')) as ContentFile & { settings?: unknown };
  delete file.settings;
  for (const s of file.segments) s.key = `${s.key}-${tag}`;
  for (const b of file.blocks) b.key = `${b.key}-${tag}`;
  edit(file, tag);
  const at = path.join(dir, 'home.json');
  await fs.writeFile(at, JSON.stringify(file));
  return { at, dir, tag, file };
}

async function write(at: string, file: unknown) {
  await fs.writeFile(at, JSON.stringify(file));
}

const liveOf = async (key: string) =>
  (
    await prisma.contentObject.findFirst({
      where: { type: 'block', key },
      select: { liveRevision: { select: { number: true, body: true } } },
    })
  )?.liveRevision ?? null;

describe('npm run content', () => {
  beforeAll(async () => {
    await applyPersonalizationReferenceData();
  }, 180_000);

  it('checks the example file without writing (--dry-run)', async () => {
    const revisions = await prisma.contentRevision.count();
    const result = await content(['import', example, '--dry-run']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/block\s+running-shoes \(revision \d+/);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(await prisma.contentRevision.count()).toBe(revisions);
  }, 180_000);

  it('imports and publishes a file, audited as the operator; again changes nothing; a changed body becomes a revision; absent keys are left alone', async () => {
    const { at, tag, file } = await exampleCopy();
    const first = await content(['import', at]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`created   block    running-shoes-${tag} (revision 1, published)`);
    expect(first.stdout).toContain(`created   segment  runners-${tag} (revision 1, published)`);
    const running = await liveOf(`running-shoes-${tag}`);
    expect(running).toMatchObject({ number: 1, body: { generic: false, priority: 100 } });
    const imageId = (running?.body as { image: { id: string } }).image.id;
    expect(await prisma.contentImage.count({ where: { sha256: imageId } })).toBe(1);
    const revision = await prisma.contentRevision.findFirstOrThrow({
      where: { object: { key: `running-shoes-${tag}` } },
    });
    expect(revision.authorLabel).toBe(`cli:${userInfo().username}`);
    const imports = () => prisma.auditLog.count({ where: { action: 'content.import' } });
    const importsAfterFirst = await imports();
    expect(
      await prisma.auditLog.findFirst({ where: { action: 'content.import' }, orderBy: { id: 'desc' } }),
    ).toMatchObject({
      actorType: 'cli',
      actorLabel: `cli:${userInfo().username}`,
      details: { created: 8, published: 8 },
    });

    const again = await content(['import', at]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/^(created|revised)/m);
    expect(await imports()).toBe(importsAfterFirst);

    // Only the running block in the file, with a new title: the others stay as they are.
    const running2 = { ...file.blocks[1]!, title: { en: 'Faster shoes', fr: 'Des chaussures plus rapides' } };
    await write(at, { schema: 'accord-content', version: 1, blocks: [running2] });
    const revised = await content(['import', at]);
    expect(revised.stdout).toContain(`revised   block    running-shoes-${tag} (revision 2, published)`);
    expect(await liveOf(`running-shoes-${tag}`)).toMatchObject({ number: 2, body: { title: { en: 'Faster shoes' } } });
    expect(await liveOf(`welcome-${tag}`)).toMatchObject({ number: 1 });

    await write(at, { schema: 'accord-content', version: 1, blocks: [{ ...running2, priority: 5 }] });
    const draft = await content(['import', at, '--draft']);
    expect(draft.stdout).toContain(`revised   block    running-shoes-${tag} (revision 3)`);
    expect(await liveOf(`running-shoes-${tag}`)).toMatchObject({ number: 2 });

    const list = await content(['list']);
    expect(list.stdout).toMatch(new RegExp(`block\\s+you-might-like\\s+running-shoes-${tag}  live r2, latest r3`));
  }, 180_000);

  it('reports every error with its JSON pointer, exits 1 and writes nothing', async () => {
    const { at, dir, tag } = await exampleCopy((file) => {
      file.blocks[0]!.title = { en: 'x'.repeat(121), fr: 'Bonjour' };
      file.blocks[1]!.slot = 'footer';
      file.blocks[2]!.rule = { interests: { $in: ['curling'] } };
      file.blocks[2]!.generic = false;
      file.blocks[3]!.image = { file: 'images/notes.txt', alt: { en: 'Notes', fr: 'Notes' } };
      file.blocks[4]!.image = { file: 'images/missing.webp', alt: { en: 'Gone', fr: 'Parti' } };
      file.blocks[5]!.key = file.blocks[6]!.key;
    });
    await fs.writeFile(path.join(dir, 'images/notes.txt'), '<html><script>alert(1)</script></html>');
    const revisions = await prisma.contentRevision.count();
    const result = await content(['import', at]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      `${at}#/blocks/0/title/en: The title is too long: 120 characters at most. (console.content.errors.title.tooLong)`,
      `${at}#/blocks/1/slot: Choose one of the home page's slots. (console.content.errors.slot)`,
      `${at}#/blocks/2/rule/interests/$in: This category does not exist. Choose one from the list. (console.content.rule.unknownCategory)`,
      `${at}#/blocks/3/image/file: This file is not a JPEG, PNG or WebP image. (console.content.errors.image.notAnImage)`,
      `${at}#/blocks/4/image/file: cannot read images/missing.webp (ENOENT)`,
      `${at}#/blocks/6/key: the key privacy-review-${tag} appears twice`,
      'content: 6 errors; nothing was written.',
    ]);
    expect(await prisma.contentRevision.count()).toBe(revisions);
    expect(await prisma.contentObject.count({ where: { key: { endsWith: tag } } })).toBe(0);

    await fs.writeFile(at, '{"schema": "accord-content", "version": 2}');
    expect((await content(['import', at])).stderr).toContain(`${at}#/version: version must be 1`);
    expect((await content(['import', path.join(dir, 'nope.json')])).code).toBe(1);
  }, 180_000);

  it('refuses to move a block to another slot', async () => {
    const { at, tag, file } = await exampleCopy();
    expect((await content(['import', at])).code).toBe(0);
    await write(at, { schema: 'accord-content', version: 1, blocks: [{ ...file.blocks[0]!, slot: 'notice' }] });
    const moved = await content(['import', at]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain(
      `#/blocks/0/slot: the block welcome-${tag} is in the slot hero: a block keeps its slot`,
    );
  }, 180_000);

  it('leaves a publication pending with CONTENT_APPROVAL=second-person', async () => {
    const { at, tag } = await exampleCopy();
    const result = await content(['import', at], { CONTENT_APPROVAL: 'second-person' });
    expect(result.stdout).toContain(`created   block    welcome-${tag} (revision 1, awaiting approval)`);
    expect(await liveOf(`welcome-${tag}`)).toBeNull();
    expect(
      await prisma.contentPublication.count({ where: { status: 'pending', object: { key: `welcome-${tag}` } } }),
    ).toBe(1);
  }, 180_000);

  it('exports the live content with its images, and the export imports back unchanged', async () => {
    const { at } = await exampleCopy();
    expect((await content(['import', at])).code).toBe(0);
    const out = await fs.mkdtemp(path.join(tmpdir(), 'content-export-'));
    const exported = await content(['export', '--out', out]);
    expect(exported.code).toBe(0);
    const file = JSON.parse(await fs.readFile(path.join(out, 'content.json'), 'utf8')) as ContentFile;
    const images = await fs.readdir(path.join(out, 'images'));
    for (const block of file.blocks) {
      const image = block.image as { file: string } | null;
      if (image) expect(images).toContain(path.basename(image.file));
    }
    const reimported = await content(['import', path.join(out, 'content.json')]);
    expect(reimported.code).toBe(0);
    expect(reimported.stdout).not.toMatch(/^(created|revised)/m);
  }, 180_000);
});
