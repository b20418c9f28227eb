// Loaded with `node --import`: records every module URL the process resolves through ESM into the file named by
// DAP_IMPORT_LOG, so a test can assert what a command loads (and does not).
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.DAP_IMPORT_LOG, resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
