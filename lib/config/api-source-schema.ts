import { z } from 'zod';
import { identifier } from './schemas.ts';

/** `config/sources/apis/<source>.json`: a source API pulled on a schedule into raw. */
export const apiSourceSchema = z.looseObject({ source: identifier });
export type ApiSource = z.infer<typeof apiSourceSchema>;
