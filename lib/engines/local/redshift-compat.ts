/**
 * Redshift's documented functions that Postgres (PGlite) lacks or defines differently, as SQL functions installed
 * into the local warehouse (schema `public`). What no function can cover (unquoted date parts, `SYSDATE`,
 * `LISTAGG ... WITHIN GROUP`, `TOP n`, `DECODE`, `NVL`, DDL attributes) is rewritten per statement by
 * `redshift-rewrite.ts`; functions whose names Postgres already owns with other semantics (`regexp_substr`,
 * `json_extract_path_text`, `date_part`, ...) are installed as `rs_<name>` and the rewriter renames the calls.
 * Idempotent (`create or replace`), installed once per database and version of this text (plain SQL and PL/pgSQL, no
 * extension); `REDSHIFT_SESSION_SQL` is run on every open.
 * Each function cites the Amazon Redshift Database Developer Guide page whose semantics it follows.
 */
export const REDSHIFT_COMPAT_SQL = `
-- "Date parts for date or timestamp functions": every documented spelling, to the Postgres field name.
create or replace function rs_datepart(p text) returns text language sql immutable parallel safe as $$
  select case lower(trim(p))
    when 'millennium' then 'millennium' when 'millennia' then 'millennium' when 'mil' then 'millennium' when 'mils' then 'millennium'
    when 'century' then 'century' when 'centuries' then 'century' when 'c' then 'century' when 'cent' then 'century' when 'cents' then 'century'
    when 'decade' then 'decade' when 'decades' then 'decade' when 'dec' then 'decade' when 'decs' then 'decade'
    when 'epoch' then 'epoch'
    when 'year' then 'year' when 'years' then 'year' when 'y' then 'year' when 'yr' then 'year' when 'yrs' then 'year'
    when 'quarter' then 'quarter' when 'quarters' then 'quarter' when 'qtr' then 'quarter' when 'qtrs' then 'quarter'
    when 'month' then 'month' when 'months' then 'month' when 'mon' then 'month' when 'mons' then 'month'
    when 'week' then 'week' when 'weeks' then 'week' when 'w' then 'week'
    when 'dayofweek' then 'dow' when 'dow' then 'dow' when 'dw' then 'dow' when 'weekday' then 'dow'
    when 'dayofyear' then 'doy' when 'doy' then 'doy' when 'dy' then 'doy' when 'yearday' then 'doy'
    when 'day' then 'day' when 'days' then 'day' when 'd' then 'day'
    when 'hour' then 'hour' when 'hours' then 'hour' when 'h' then 'hour' when 'hr' then 'hour' when 'hrs' then 'hour'
    when 'minute' then 'minute' when 'minutes' then 'minute' when 'm' then 'minute' when 'min' then 'minute' when 'mins' then 'minute'
    when 'second' then 'second' when 'seconds' then 'second' when 's' then 'second' when 'sec' then 'second' when 'secs' then 'second'
    when 'millisecond' then 'milliseconds' when 'milliseconds' then 'milliseconds' when 'ms' then 'milliseconds'
    when 'msec' then 'milliseconds' when 'msecs' then 'milliseconds' when 'msecond' then 'milliseconds'
    when 'mseconds' then 'milliseconds' when 'millisec' then 'milliseconds' when 'millisecs' then 'milliseconds'
    when 'millisecon' then 'milliseconds'
    when 'microsecond' then 'microseconds' when 'microseconds' then 'microseconds' when 'microsec' then 'microseconds'
    when 'microsecs' then 'microseconds' when 'microsecond' then 'microseconds' when 'usecond' then 'microseconds'
    when 'useconds' then 'microseconds' when 'us' then 'microseconds' when 'usec' then 'microseconds' when 'usecs' then 'microseconds'
    when 'timezone' then 'timezone' when 'timezone_hour' then 'timezone_hour' when 'timezone_minute' then 'timezone_minute'
    else lower(trim(p)) end
$$;

-- "DATEADD function": TIMESTAMP; month arithmetic keeps the day number, clamped to the month's length.
create or replace function dateadd(p text, n bigint, t timestamp) returns timestamp language sql immutable parallel safe as $$
  select case rs_datepart(p)
    when 'millennium' then t + make_interval(years => (n * 1000)::int)
    when 'century' then t + make_interval(years => (n * 100)::int)
    when 'decade' then t + make_interval(years => (n * 10)::int)
    when 'year' then t + make_interval(years => n::int)
    when 'quarter' then t + make_interval(months => (n * 3)::int)
    when 'month' then t + make_interval(months => n::int)
    when 'week' then t + make_interval(weeks => n::int)
    when 'day' then t + make_interval(days => n::int)
    when 'hour' then t + n * interval '1 hour'
    when 'minute' then t + n * interval '1 minute'
    when 'second' then t + n * interval '1 second'
    when 'milliseconds' then t + n * interval '1 millisecond'
    when 'microseconds' then t + n * interval '1 microsecond'
    else t + (n || ' ' || p)::interval end
$$;
-- A string literal resolves to the timestamptz form (Postgres' preferred date/time type); it still returns TIMESTAMP.
create or replace function dateadd(p text, n bigint, t timestamptz) returns timestamp language sql stable parallel safe as $$
  select dateadd(p, n, t::timestamp)
$$;
create or replace function dateadd(p text, n bigint, t time) returns time language sql immutable parallel safe as $$
  select (dateadd(p, n, '2000-01-01'::date + t))::time
$$;

-- "DATEDIFF function": BIGINT count of date-part boundaries crossed between the two values (weeks start Monday).
create or replace function datediff(p text, a timestamp, b timestamp) returns bigint language sql immutable parallel safe as $$
  select case rs_datepart(p)
    when 'millennium' then (extract(millennium from b) - extract(millennium from a))::bigint
    when 'century' then (extract(century from b) - extract(century from a))::bigint
    when 'decade' then (extract(decade from b) - extract(decade from a))::bigint
    when 'year' then (extract(year from b) - extract(year from a))::bigint
    when 'quarter' then ((extract(year from b) * 4 + extract(quarter from b)) - (extract(year from a) * 4 + extract(quarter from a)))::bigint
    when 'month' then ((extract(year from b) * 12 + extract(month from b)) - (extract(year from a) * 12 + extract(month from a)))::bigint
    when 'week' then ((date_trunc('week', b)::date - date_trunc('week', a)::date) / 7)::bigint
    when 'day' then (b::date - a::date)::bigint
    when 'hour' then (extract(epoch from date_trunc('hour', b) - date_trunc('hour', a)) / 3600)::bigint
    when 'minute' then (extract(epoch from date_trunc('minute', b) - date_trunc('minute', a)) / 60)::bigint
    when 'second' then extract(epoch from date_trunc('second', b) - date_trunc('second', a))::bigint
    when 'milliseconds' then (extract(epoch from date_trunc('milliseconds', b) - date_trunc('milliseconds', a)) * 1000)::bigint
    when 'microseconds' then (extract(epoch from b - a) * 1000000)::bigint
    else null end
$$;
create or replace function datediff(p text, a timestamptz, b timestamptz) returns bigint language sql stable parallel safe as $$
  select datediff(p, a::timestamp, b::timestamp)
$$;
create or replace function datediff(p text, a time, b time) returns bigint language sql immutable parallel safe as $$
  select datediff(p, '2000-01-01'::date + a, '2000-01-01'::date + b)
$$;

-- "DATE_PART function" (also PGDATE_PART): DOUBLE PRECISION, with Redshift's date-part abbreviations.
create or replace function rs_date_part(p text, t timestamp) returns double precision language sql immutable parallel safe as $$
  select date_part(rs_datepart(p), t)
$$;
create or replace function rs_date_part(p text, t timestamptz) returns double precision language sql stable parallel safe as $$
  select date_part(rs_datepart(p), t)
$$;
create or replace function rs_date_part(p text, t interval) returns double precision language sql immutable parallel safe as $$
  select date_part(rs_datepart(p), t)
$$;
-- "DATE_TRUNC function": the date part may be any documented spelling.
create or replace function rs_date_trunc(p text, t timestamp) returns timestamp language sql immutable parallel safe as $$
  select date_trunc(rs_datepart(p), t)
$$;
create or replace function rs_date_trunc(p text, t timestamptz) returns timestamp language sql stable parallel safe as $$
  select date_trunc(rs_datepart(p), t::timestamp)
$$;
-- "DATE_PART_YEAR function"
create or replace function date_part_year(d date) returns integer language sql immutable parallel safe as $$
  select extract(year from d)::int
$$;

-- "ADD_MONTHS function": TIMESTAMP; the last day of a month (or a day the result month lacks) gives the last day.
create or replace function add_months(t timestamp, n integer) returns timestamp language sql immutable parallel safe as $$
  select case when t::date = (date_trunc('month', t) + interval '1 month - 1 day')::date
    then (date_trunc('month', t + make_interval(months => n)) + interval '1 month - 1 day')::date + t::time
    else t + make_interval(months => n) end
$$;
create or replace function add_months(t timestamptz, n integer) returns timestamp language sql stable parallel safe as $$
  select add_months(t::timestamp, n)
$$;
-- "LAST_DAY function": DATE.
create or replace function last_day(t timestamp) returns date language sql immutable parallel safe as $$
  select (date_trunc('month', t) + interval '1 month - 1 day')::date
$$;
-- "MONTHS_BETWEEN function": FLOAT8; whole when the days of month match or both are month ends, else 31-day months.
create or replace function months_between(a date, b date) returns double precision language sql immutable parallel safe as $$
  select case
    when a is null or b is null then null
    when extract(day from a) = extract(day from b) or (last_day(a) = a and last_day(b) = b)
      then ((extract(year from a) * 12 + extract(month from a)) - (extract(year from b) * 12 + extract(month from b)))::float8
    else ((extract(year from a) * 12 + extract(month from a)) - (extract(year from b) * 12 + extract(month from b)))::float8
      + (extract(day from a) - extract(day from b))::float8 / 31 end
$$;
-- "NEXT_DAY function": DATE of the first given weekday after the date; day names full or abbreviated, any case.
create or replace function next_day(t timestamp, day_name text) returns date language plpgsql immutable parallel safe as $$
declare
  wanted int;
  name text := lower(trim(day_name));
begin
  wanted := case
    when name in ('su', 'sun', 'sunday') then 0
    when name in ('m', 'mo', 'mon', 'monday') then 1
    when name in ('tu', 'tue', 'tues', 'tuesday') then 2
    when name in ('w', 'we', 'wed', 'wednesday') then 3
    when name in ('th', 'thu', 'thurs', 'thursday') then 4
    when name in ('f', 'fr', 'fri', 'friday') then 5
    when name in ('sa', 'sat', 'saturday') then 6 end;
  if wanted is null then
    raise exception 'Invalid weekday: "%"', day_name;
  end if;
  return t::date + (((wanted - extract(dow from t)::int + 6) % 7) + 1);
end
$$;
-- "TRUNC function" (date form): the DATE of a timestamp.
create or replace function trunc(t timestamp) returns date language sql immutable parallel safe as $$ select t::date $$;
create or replace function trunc(t timestamptz) returns date language sql stable parallel safe as $$ select t::date $$;

-- "GETDATE function": start of the current statement, TIMESTAMP without fractional seconds.
create or replace function getdate() returns timestamp language sql stable parallel safe as $$
  select date_trunc('second', statement_timestamp() at time zone current_setting('TimeZone'))
$$;
-- "CONVERT_TIMEZONE function": TIMESTAMP; the two-argument form converts from UTC.
create or replace function convert_timezone(target text, t timestamp) returns timestamp language sql stable parallel safe as $$
  select (t at time zone 'UTC') at time zone target
$$;
create or replace function convert_timezone(source text, target text, t timestamp) returns timestamp language sql stable parallel safe as $$
  select (t at time zone source) at time zone target
$$;
-- "TO_DATE function": not strict by default, so a day past the month's end rolls over (20010631 → 2001-07-01),
-- for the fixed-width formats built of YYYY, MM, DD and separators.
create or replace function rs_to_date(s text, fmt text, is_strict boolean default false) returns date language plpgsql stable as $$
declare
  day_at int := strpos(upper(fmt), 'DD');
begin
  return to_date(s, fmt);
exception when datetime_field_overflow then
  if is_strict or day_at = 0 or upper(fmt) !~ '^[YMD /.-]+$' then raise; end if;
  return to_date(overlay(s placing '01' from day_at for 2), fmt) + (substr(s, day_at, 2)::int - 1);
end
$$;
-- "DATE_CMP", "DATE_CMP_TIMESTAMP", "DATE_CMP_TIMESTAMPTZ", "TIMESTAMP_CMP", "TIMESTAMP_CMP_DATE", "INTERVAL_CMP":
-- INTEGER -1, 0 or 1.
create or replace function date_cmp(a date, b date) returns integer language sql immutable parallel safe as $$
  select case when a < b then -1 when a > b then 1 when a = b then 0 end
$$;
create or replace function date_cmp_timestamp(a date, b timestamp) returns integer language sql immutable parallel safe as $$
  select case when a < b then -1 when a > b then 1 when a = b then 0 end
$$;
create or replace function timestamp_cmp(a timestamp, b timestamp) returns integer language sql immutable parallel safe as $$
  select case when a < b then -1 when a > b then 1 when a = b then 0 end
$$;
create or replace function timestamp_cmp_date(a timestamp, b date) returns integer language sql immutable parallel safe as $$
  select case when a < b then -1 when a > b then 1 when a = b then 0 end
$$;
create or replace function interval_cmp(a interval, b interval) returns integer language sql immutable parallel safe as $$
  select case when a < b then -1 when a > b then 1 when a = b then 0 end
$$;

-- "LEN function" / "TEXTLEN": characters (CHAR ignores trailing blanks, as LENGTH does).
create or replace function len(s text) returns integer language sql immutable parallel safe as $$ select length(s) $$;
create or replace function len(s bpchar) returns integer language sql immutable parallel safe as $$ select length(s) $$;
create or replace function textlen(s text) returns integer language sql immutable parallel safe as $$ select length(s) $$;
-- "CHARINDEX function": 1-based position of the first occurrence, 0 if none.
create or replace function charindex(needle text, haystack text) returns integer language sql immutable parallel safe as $$
  select strpos(haystack, needle)
$$;
-- "REPLICATE function" (synonym of REPEAT).
create or replace function replicate(s text, n integer) returns text language sql immutable parallel safe as $$ select repeat(s, n) $$;
-- "DEXP", "DLOG1", "DLOG10" functions.
create or replace function dexp(x double precision) returns double precision language sql immutable parallel safe as $$ select exp(x) $$;
create or replace function dlog1(x double precision) returns double precision language sql immutable parallel safe as $$ select ln(x) $$;
create or replace function dlog10(x double precision) returns double precision language sql immutable parallel safe as $$ select log(x) $$;

-- "STRTOL function": BIGINT of a string in base 2..36 (a 0x prefix is allowed in base 16, a leading sign too).
create or replace function strtol(s text, base integer) returns bigint language plpgsql immutable parallel safe as $$
declare
  digits text := lower(trim(s));
  sign bigint := 1;
  result bigint := 0;
  digit int;
  ch text;
begin
  if digits is null or base is null then return null; end if;
  if left(digits, 1) = '-' then sign := -1; digits := substr(digits, 2);
  elsif left(digits, 1) = '+' then digits := substr(digits, 2); end if;
  if base = 16 and left(digits, 2) = '0x' then digits := substr(digits, 3); end if;
  foreach ch in array regexp_split_to_array(digits, '') loop
    digit := strpos('0123456789abcdefghijklmnopqrstuvwxyz', ch) - 1;
    exit when digit < 0 or digit >= base;
    result := result * base + digit;
  end loop;
  return sign * result;
end
$$;

-- "REGEXP_SUBSTR function": '' when nothing matches; parameters c (case-sensitive), i, e (first subexpression),
-- p (Perl-compatible: Postgres regular expressions already take \\d, \\w, \\s, lookahead).
create or replace function rs_regex_flags(parameters text) returns text language sql immutable parallel safe as $$
  select case when strpos(coalesce(parameters, ''), 'i') > 0 then 'i' else '' end
$$;
create or replace function rs_regexp_substr(source text, pattern text, pos integer default 1, occ integer default 1, parameters text default 'c')
returns text language sql immutable parallel safe as $$
  select case when source is null or pattern is null then null
    else coalesce(
      case when strpos(coalesce(parameters, ''), 'e') > 0 and strpos(pattern, '(') > 0
        then regexp_substr(source, pattern, pos, occ, rs_regex_flags(parameters), 1)
        else regexp_substr(source, pattern, pos, occ, rs_regex_flags(parameters)) end, '') end
$$;
-- "REGEXP_COUNT function"
create or replace function rs_regexp_count(source text, pattern text, pos integer default 1, parameters text default 'c')
returns integer language sql immutable parallel safe as $$
  select regexp_count(source, pattern, pos, rs_regex_flags(parameters))
$$;
-- "REGEXP_INSTR function": option 0 = position of the match, 1 = position after it; 0 when nothing matches.
create or replace function rs_regexp_instr(source text, pattern text, pos integer default 1, occ integer default 1, opt integer default 0, parameters text default 'c')
returns integer language sql immutable parallel safe as $$
  select case when strpos(coalesce(parameters, ''), 'e') > 0 and strpos(pattern, '(') > 0
    then regexp_instr(source, pattern, pos, occ, opt, rs_regex_flags(parameters), 1)
    else regexp_instr(source, pattern, pos, occ, opt, rs_regex_flags(parameters)) end
$$;
-- "REGEXP_REPLACE function": replaces every match from position on (Postgres' three-argument form replaces one).
create or replace function rs_regexp_replace(source text, pattern text, replacement text default '', pos integer default 1, parameters text default 'c')
returns text language sql immutable parallel safe as $$
  select regexp_replace(source, pattern, coalesce(replacement, ''), pos, 0, rs_regex_flags(parameters))
$$;

-- JSON functions over VARCHAR ("JSON_EXTRACT_PATH_TEXT", "JSON_EXTRACT_ARRAY_ELEMENT_TEXT", "JSON_ARRAY_LENGTH",
-- "IS_VALID_JSON", "IS_VALID_JSON_ARRAY", "JSON_PARSE", "CAN_JSON_PARSE"; JSON_SERIALIZE is built into Postgres 17+). The rewriter passes the
-- optional null_if_invalid as the first argument.
create or replace function rs_json_invalid(null_if_invalid boolean, what text) returns text language plpgsql volatile as $$
begin
  if null_if_invalid then return null; end if;
  raise exception 'JSON parsing error: invalid json %', what using errcode = '22032';
end
$$;
create or replace function rs_json_text(j json) returns text language sql immutable parallel safe as $$
  select case json_typeof(j) when 'string' then j #>> '{}' when 'null' then null else j::text end
$$;
create or replace function rs_json_extract_path_text(null_if_invalid boolean, doc text, variadic path text[]) returns text
language plpgsql immutable parallel safe as $$
begin
  if doc is null then return null; end if;
  if not (doc is json) then return rs_json_invalid(null_if_invalid, 'object'); end if;
  return rs_json_text(doc::json #> path);
end
$$;
create or replace function json_extract_array_element_text(doc text, pos integer, null_if_invalid boolean default false) returns text
language plpgsql immutable parallel safe as $$
begin
  if doc is null then return null; end if;
  if not (doc is json array) then return rs_json_invalid(null_if_invalid, 'array'); end if;
  if pos < 0 then return null; end if;
  return rs_json_text(doc::json -> pos);
end
$$;
create or replace function rs_json_array_length(doc text, null_if_invalid boolean default false) returns integer
language plpgsql immutable parallel safe as $$
begin
  if doc is null then return null; end if;
  if not (doc is json array) then return rs_json_invalid(null_if_invalid, 'array')::int; end if;
  return json_array_length(doc::json);
end
$$;
create or replace function is_valid_json(doc text) returns boolean language sql immutable parallel safe as $$
  select doc is json object
$$;
create or replace function is_valid_json_array(doc text) returns boolean language sql immutable parallel safe as $$
  select doc is json array
$$;
create or replace function json_parse(doc text) returns jsonb language sql immutable parallel safe as $$ select doc::jsonb $$;
create or replace function can_json_parse(doc text) returns boolean language sql immutable parallel safe as $$ select doc is json $$;

-- "SHA2 function", "SHA1 function" / "FUNC_SHA1": lowercase hex digests of the UTF-8 text.
create or replace function sha2(s text, bits integer) returns text language sql immutable parallel safe as $$
  select case bits
    when 0 then encode(sha256(convert_to(s, 'UTF8')), 'hex')
    when 224 then encode(sha224(convert_to(s, 'UTF8')), 'hex')
    when 256 then encode(sha256(convert_to(s, 'UTF8')), 'hex')
    when 384 then encode(sha384(convert_to(s, 'UTF8')), 'hex')
    when 512 then encode(sha512(convert_to(s, 'UTF8')), 'hex') end
$$;
create or replace function rs_sha1(s text) returns text language plpgsql immutable parallel safe as $$
declare
  msg bytea := convert_to(s, 'UTF8');
  ml bigint := length(msg) * 8;
  h0 bigint := 1732584193; h1 bigint := 4023233417; h2 bigint := 2562383102; h3 bigint := 271733878; h4 bigint := 3285377520;
  w bigint[]; a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; temp bigint;
  m32 bigint := 4294967295;
  chunk int; i int;
begin
  if s is null then return null; end if;
  msg := msg || decode('80', 'hex');
  while length(msg) % 64 <> 56 loop msg := msg || decode('00', 'hex'); end loop;
  msg := msg || int8send(ml);
  for chunk in 0 .. length(msg) / 64 - 1 loop
    w := array_fill(0::bigint, array[80]);
    for i in 0 .. 15 loop
      w[i + 1] := (get_byte(msg, chunk * 64 + i * 4)::bigint << 24) | (get_byte(msg, chunk * 64 + i * 4 + 1)::bigint << 16)
        | (get_byte(msg, chunk * 64 + i * 4 + 2)::bigint << 8) | get_byte(msg, chunk * 64 + i * 4 + 3)::bigint;
    end loop;
    for i in 16 .. 79 loop
      temp := w[i - 2] # w[i - 7] # w[i - 13] # w[i - 15];
      w[i + 1] := ((temp << 1) | (temp >> 31)) & m32;
    end loop;
    a := h0; b := h1; c := h2; d := h3; e := h4;
    for i in 0 .. 79 loop
      if i < 20 then f := (b & c) | ((~b & m32) & d); k := 1518500249;
      elsif i < 40 then f := b # c # d; k := 1859775393;
      elsif i < 60 then f := (b & c) | (b & d) | (c & d); k := 2400959708;
      else f := b # c # d; k := 3395469782; end if;
      temp := ((((a << 5) | (a >> 27)) & m32) + f + e + k + w[i + 1]) & m32;
      e := d; d := c; c := ((b << 30) | (b >> 2)) & m32; b := a; a := temp;
    end loop;
    h0 := (h0 + a) & m32; h1 := (h1 + b) & m32; h2 := (h2 + c) & m32; h3 := (h3 + d) & m32; h4 := (h4 + e) & m32;
  end loop;
  return lpad(to_hex(h0), 8, '0') || lpad(to_hex(h1), 8, '0') || lpad(to_hex(h2), 8, '0') || lpad(to_hex(h3), 8, '0') || lpad(to_hex(h4), 8, '0');
end
$$;
create or replace function func_sha1(s text) returns text language sql immutable parallel safe as $$ select rs_sha1(s) $$;
create or replace function sha1(s text) returns text language sql immutable parallel safe as $$ select rs_sha1(s) $$;

-- "MEDIAN function" as an aggregate that also runs as a window function (Postgres' ordered-set
-- percentile_cont does not). Integer and DECIMAL input give DECIMAL, floating point gives DOUBLE PRECISION.
create or replace function rs_median_numeric(vals numeric[]) returns numeric language sql immutable parallel safe as $$
  select case when n = 0 then null when n % 2 = 1 then s[(n + 1) / 2]
    else round((s[n / 2] + s[n / 2 + 1]) / 2, greatest(scale(s[n / 2]), scale(s[n / 2 + 1]), scale(trim_scale((s[n / 2] + s[n / 2 + 1]) / 2)))) end
  from (select array_agg(v order by v) as s, count(v)::int as n from unnest(vals) as v where v is not null) as sorted
$$;
create or replace function rs_median_float(vals double precision[]) returns double precision language sql immutable parallel safe as $$
  select case when n = 0 then null when n % 2 = 1 then s[(n + 1) / 2] else (s[n / 2] + s[n / 2 + 1]) / 2 end
  from (select array_agg(v order by v) as s, count(v)::int as n from unnest(vals) as v where v is not null) as sorted
$$;
create or replace aggregate rs_median(numeric) (sfunc = array_append, stype = numeric[], finalfunc = rs_median_numeric, initcond = '{}');
create or replace function rs_median_add(acc numeric[], v bigint) returns numeric[] language sql immutable parallel safe as $$
  select array_append(acc, v::numeric)
$$;
create or replace function rs_median_add(acc numeric[], v integer) returns numeric[] language sql immutable parallel safe as $$
  select array_append(acc, v::numeric)
$$;
create or replace aggregate rs_median(bigint) (sfunc = rs_median_add, stype = numeric[], finalfunc = rs_median_numeric, initcond = '{}');
create or replace aggregate rs_median(integer) (sfunc = rs_median_add, stype = numeric[], finalfunc = rs_median_numeric, initcond = '{}');
create or replace aggregate rs_median(double precision) (sfunc = array_append, stype = double precision[], finalfunc = rs_median_float, initcond = '{}');
`;

/**
 * Per session, after the functions (whose bodies avoid backslashes): Redshift string literals take backslash escapes
 * ('\\.' in a pattern is one backslash and a dot, as the Redshift documentation writes regular expressions).
 */
export const REDSHIFT_SESSION_SQL = `
set standard_conforming_strings = off;
set escape_string_warning = off;
`;
