/**
 * Redshift's documented functions that Postgres (PGlite) lacks or defines differently, as SQL functions installed
 * into the local warehouse. What no function can cover (unquoted date parts, `SYSDATE`, `LISTAGG ... WITHIN GROUP`,
 * DDL attributes) is rewritten per statement by `redshift-rewrite.ts`. Idempotent: run on every open.
 */
export const REDSHIFT_COMPAT_SQL = `
create or replace function getdate() returns timestamp language sql stable as $$ select localtimestamp(0)::timestamp $$;
create or replace function nvl(anyelement, anyelement) returns anyelement language sql immutable as $$ select coalesce($1, $2) $$;
create or replace function nvl(text, text) returns text language sql immutable as $$ select coalesce($1, $2) $$;
`;
