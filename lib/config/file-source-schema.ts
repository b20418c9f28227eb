import { z } from 'zod';
import { identifier } from './schemas.ts';

/** `config/sources/files/<source>.json`: a file source dropped into the landing bucket under `landing/<source>/`. */
export const fileSourceSchema = z.looseObject({ source: identifier });
export type FileSource = z.infer<typeof fileSourceSchema>;
