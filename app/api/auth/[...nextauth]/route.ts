import { handlers } from '@/server/identity/auth';

export const { GET, POST } = handlers;
