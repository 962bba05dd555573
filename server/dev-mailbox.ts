import 'server-only';

import { prisma } from './db';
import { getEnv } from './env';

export async function listDevMails(limit = 50) {
  if (getEnv().production) return [];
  return prisma.devMail.findMany({
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: { id: true, to: true, subject: true, text: true, html: true, createdAt: true },
  });
}
