import 'server-only';

import { getPool } from './db';

export async function checkDatabase(): Promise<boolean> {
  try {
    await getPool().query('SELECT 1');
    return true;
  } catch (error) {
    console.error('[health] database unreachable:', error instanceof Error ? error.message : error);
    return false;
  }
}
