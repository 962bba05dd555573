import 'server-only';

import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

export async function listDevMails(limit = 50) {
  if (getEnv().production) return [];
  return prisma.devMail.findMany({
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: { id: true, to: true, subject: true, text: true, html: true, createdAt: true },
  });
}
