import * as z from 'zod/mini';

import { locales } from '@/lib/i18n/config';

export const SetLocaleSchema = z.object({ locale: z.enum(locales) });
