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

-- "DATEADD function": TIMESTAMP; month arithmetic keeps the day number, clamped to the month's length, while year
-- arithmetic moves February 29 to March 1 of a common year (the usage notes: DATEADD(year, 1, '2016-02-29') is
-- 2017-03-01, DATEADD(month, 12, '2016-02-29') is 2017-02-28).
create or replace function rs_add_years(t timestamp, n bigint) returns timestamp language sql immutable parallel safe as $$
  select t + make_interval(years => n::int)
    + case when to_char(t, 'MM-DD') = '02-29' and to_char(t + make_interval(years => n::int), 'MM-DD') = '02-28'
      then interval '1 day' else interval '0' end
$$;
create or replace function dateadd(p text, n bigint, t timestamp) returns timestamp language sql immutable parallel safe as $$
  select case rs_datepart(p)
    when 'millennium' then rs_add_years(t, n * 1000)
    when 'century' then rs_add_years(t, n * 100)
    when 'decade' then rs_add_years(t, n * 10)
    when 'year' then rs_add_years(t, n)
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
-- TIMETZ: the time in UTC, moved, shown in UTC (TIMETZ values are UTC, "Datetime types").
create or replace function dateadd(p text, n bigint, t timetz) returns timetz language sql immutable parallel safe as $$
  select ((dateadd(p, n, (t at time zone 'UTC')::time))::text || '+00')::timetz
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
create or replace function datediff(p text, a timetz, b timetz) returns bigint language sql immutable parallel safe as $$
  select datediff(p, (a at time zone 'UTC')::time, (b at time zone 'UTC')::time)
$$;

-- "DATE_PART function" (also PGDATE_PART): DOUBLE PRECISION, with Redshift's date-part abbreviations. Milliseconds
-- and microseconds are those of the second only (DATE_PART(microsecond, '... 04:05:06.789') is 789000), and the
-- decade counts from 1 like the century ("Date parts for date or timestamp functions": 1999 is in decade 200).
create or replace function rs_date_part(p text, t timestamp) returns double precision language sql immutable parallel safe as $$
  select case rs_datepart(p)
    when 'milliseconds' then date_part('milliseconds', t)::numeric % 1000
    when 'microseconds' then date_part('microseconds', t)::numeric % 1000000
    when 'decade' then floor(date_part('year', t) / 10) + 1
    else date_part(rs_datepart(p), t) end
$$;
create or replace function rs_date_part(p text, t timestamptz) returns double precision language sql stable parallel safe as $$
  select rs_date_part(p, t::timestamp)
$$;
-- "EXTRACT function": the same parts as whole numbers (EXTRACT(sec ...) is 3 where DATE_PART(sec ...) is 3.189717;
-- EXTRACT(ms ...) is the milliseconds of the second). The rewriter sends only these parts here.
create or replace function rs_extract(p text, t timestamp) returns numeric language sql immutable parallel safe as $$
  select case rs_datepart(p)
    when 'second' then floor(extract(second from t))
    when 'milliseconds' then floor(extract(milliseconds from t)) % 1000
    when 'microseconds' then floor(extract(microseconds from t)) % 1000000
    when 'decade' then floor(extract(year from t) / 10) + 1
    else date_part(rs_datepart(p), t)::numeric end
$$;
create or replace function rs_extract(p text, t timestamptz) returns numeric language sql stable parallel safe as $$
  select rs_extract(p, t::timestamp)
$$;
create or replace function rs_extract(p text, t time) returns numeric language sql immutable parallel safe as $$
  select rs_extract(p, '2000-01-01'::date + t)
$$;
create or replace function rs_extract(p text, t timetz) returns numeric language sql immutable parallel safe as $$
  select rs_extract(p, '2000-01-01'::date + (t at time zone 'UTC')::time)
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
create or replace function json_parse(doc text) returns jsonb language sql immutable parallel safe as $$ select doc::json::jsonb $$;
create or replace function can_json_parse(doc text) returns boolean language sql immutable parallel safe as $$ select doc is json $$;

-- An error raised from an expression (SQL functions cannot RAISE).
create or replace function rs_raise(message text) returns text language plpgsql volatile as $$
begin
  raise exception '%', message using errcode = '22023';
end
$$;
-- "SHA2 function", "SHA1 function" / "FUNC_SHA1": lowercase hex digests of the UTF-8 text.
create or replace function sha2(s text, bits integer) returns text language sql immutable parallel safe as $$
  select case bits
    when 0 then encode(sha256(convert_to(s, 'UTF8')), 'hex')
    when 224 then encode(sha224(convert_to(s, 'UTF8')), 'hex')
    when 256 then encode(sha256(convert_to(s, 'UTF8')), 'hex')
    when 384 then encode(sha384(convert_to(s, 'UTF8')), 'hex')
    when 512 then encode(sha512(convert_to(s, 'UTF8')), 'hex')
    else rs_raise('Invalid bit length for SHA-2: ' || bits) end
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

-- "TEXT_TO_INT_ALT function", "TEXT_TO_NUMERIC_ALT function": Teradata-style numbers in text. A sign may trail
-- ('123-'); with a format ending in S the last character may be an overpunched digit ('{' and A-I are +0..9, '}' and
-- J-R are -0..9); a format with C allows a currency sign or code before the digits; an exponent is allowed.
create or replace function rs_teradata_number(s text, fmt text) returns numeric language plpgsql immutable parallel safe as $$
declare
  t text := trim(s);
  last_char text;
  punched int;
  negative boolean := false;
  result numeric;
begin
  if t is null then return null; end if;
  if fmt is not null and strpos(upper(fmt), 'C') > 0 then t := ltrim(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$£€¥ '); end if;
  last_char := right(t, 1);
  punched := strpos('{ABCDEFGHI}JKLMNOPQR', last_char);
  if fmt is not null and upper(fmt) like '%S' and punched > 0 then
    t := left(t, -1) || ((punched - 1) % 10)::text;
    negative := punched > 10;
  elsif last_char in ('+', '-') then
    t := left(t, -1);
    negative := last_char = '-';
  end if;
  result := t::numeric;
  return case when negative then -result else result end;
end
$$;
create or replace function text_to_int_alt(s text, fmt text default null) returns integer language sql immutable parallel safe as $$
  select trunc(rs_teradata_number(s, fmt))::integer
$$;
create or replace function rs_text_to_numeric(s text, fmt text, p integer, sc integer) returns numeric language plpgsql immutable parallel safe as $$
declare
  result numeric := round(rs_teradata_number(s, fmt), sc);
begin
  if abs(result) >= power(10::numeric, p - sc) then
    raise exception 'Numeric data overflow (result precision)' using errcode = '22003';
  end if;
  return result;
end
$$;
create or replace function text_to_numeric_alt(s text, fmt text default null) returns numeric language sql immutable parallel safe as $$
  select rs_text_to_numeric(s, fmt, 38, 0)
$$;
create or replace function text_to_numeric_alt(s text, p integer, sc integer) returns numeric language sql immutable parallel safe as $$
  select rs_text_to_numeric(s, null, p, sc)
$$;
create or replace function text_to_numeric_alt(s text, fmt text, p integer, sc integer) returns numeric language sql immutable parallel safe as $$
  select rs_text_to_numeric(s, fmt, p, sc)
$$;

-- "+" between strings concatenates (the NVL2 page's 'Aphrodite' + ' ' + 'Acevedo').
create or replace function rs_text_plus(a text, b text) returns text language sql immutable parallel safe as $$ select a || b $$;
do $$ begin
  if not exists (select from pg_operator where oprname = '+' and oprleft = 'text'::regtype and oprright = 'text'::regtype) then
    create operator + (leftarg = text, rightarg = text, function = rs_text_plus);
  end if;
end $$;

-- "SQRT function": DOUBLE PRECISION whatever the argument (Postgres keeps NUMERIC for a NUMERIC argument).
create or replace function rs_sqrt(x double precision) returns double precision language sql immutable parallel safe as $$ select sqrt(x) $$;

-- "CRC32 function": the CRC-32C (Castagnoli) of the UTF-8 text as 8 lowercase hexadecimal digits.
create or replace function rs_crc32(s text) returns text language sql immutable parallel safe as $$
  select lpad(to_hex(crc32c(convert_to(s, 'UTF8'))), 8, '0')
$$;
create or replace function rs_crc32(b bytea) returns text language sql immutable parallel safe as $$
  select lpad(to_hex(crc32c(b)), 8, '0')
$$;
-- "FNV_HASH function": 64-bit FNV-1a as a signed BIGINT, over the UTF-8 text or the integer's bytes (little-endian);
-- the seed (another FNV_HASH) continues a hash, so FNV_HASH('cd', FNV_HASH('ab')) = FNV_HASH('abcd').
create or replace function rs_fnv1a(bytes bytea, seed bigint) returns bigint language plpgsql immutable parallel safe as $$
declare
  h numeric := case when seed is null then 14695981039346656037 when seed < 0 then seed + 18446744073709551616 else seed end;
  low int;
  i int;
begin
  if bytes is null then return null; end if;
  for i in 0 .. length(bytes) - 1 loop
    low := (h % 256)::int;
    h := mod((h - low + (low # get_byte(bytes, i))) * 1099511628211, 18446744073709551616);
  end loop;
  return (case when h >= 9223372036854775808 then h - 18446744073709551616 else h end)::bigint;
end
$$;
create or replace function rs_little_endian(b bytea) returns bytea language plpgsql immutable parallel safe as $$
declare
  out bytea := b;
  n int := length(b);
  i int;
begin
  for i in 0 .. n - 1 loop out := set_byte(out, i, get_byte(b, n - 1 - i)); end loop;
  return out;
end
$$;
create or replace function fnv_hash(v text, seed bigint default null) returns bigint language sql immutable parallel safe as $$
  select rs_fnv1a(convert_to(v, 'UTF8'), seed)
$$;
create or replace function fnv_hash(v smallint, seed bigint default null) returns bigint language sql immutable parallel safe as $$
  select rs_fnv1a(rs_little_endian(int2send(v)), seed)
$$;
create or replace function fnv_hash(v integer, seed bigint default null) returns bigint language sql immutable parallel safe as $$
  select rs_fnv1a(rs_little_endian(int4send(v)), seed)
$$;
create or replace function fnv_hash(v bigint, seed bigint default null) returns bigint language sql immutable parallel safe as $$
  select rs_fnv1a(rs_little_endian(int8send(v)), seed)
$$;
-- "farmFingerprint64 function": FarmHash's Fingerprint64 (farmhashna::Hash64) of the UTF-8 text or the bytes, as a
-- signed BIGINT. Unsigned 64-bit words are NUMERIC in [0, 2^64) here; XOR goes through BIGINT.
create or replace function rs_u64_xor(a numeric, b numeric) returns numeric language sql immutable strict parallel safe as $$
  select case when r < 0 then r + 18446744073709551616 else r end
  from (select (case when a >= 9223372036854775808 then a - 18446744073709551616 else a end)::bigint
    # (case when b >= 9223372036854775808 then b - 18446744073709551616 else b end)::bigint as r) as x
$$;
create or replace function rs_u64_mul(a numeric, b numeric) returns numeric language sql immutable strict parallel safe as $$
  select mod(a * b, 18446744073709551616)
$$;
create or replace function rs_u64_add(a numeric, b numeric) returns numeric language sql immutable strict parallel safe as $$
  select mod(a + b, 18446744073709551616)
$$;
create or replace function rs_u64_shr(a numeric, n integer) returns numeric language sql immutable strict parallel safe as $$
  select trunc(a / power(2::numeric, n))
$$;
create or replace function rs_u64_rotr(a numeric, n integer) returns numeric language sql immutable strict parallel safe as $$
  select case when n = 0 then a else trunc(a / power(2::numeric, n)) + mod(a * power(2::numeric, 64 - n), 18446744073709551616) end
$$;
create or replace function rs_u64_shiftmix(a numeric) returns numeric language sql immutable strict parallel safe as $$
  select rs_u64_xor(a, rs_u64_shr(a, 47))
$$;
create or replace function rs_fetch64(s bytea, at integer) returns numeric language sql immutable strict parallel safe as $$
  select sum(get_byte(s, at + i)::numeric * power(256::numeric, i)) from generate_series(0, 7) as i
$$;
create or replace function rs_fetch32(s bytea, at integer) returns numeric language sql immutable strict parallel safe as $$
  select sum(get_byte(s, at + i)::numeric * power(256::numeric, i)) from generate_series(0, 3) as i
$$;
create or replace function rs_farm_len16(u numeric, v numeric, mul numeric) returns numeric language sql immutable strict parallel safe as $$
  select rs_u64_mul(rs_u64_shiftmix(rs_u64_mul(rs_u64_xor(v, a), mul)), mul)
  from (select rs_u64_shiftmix(rs_u64_mul(rs_u64_xor(u, v), mul)) as a) as x
$$;
create or replace function rs_farm_weak32(s bytea, at integer, a0 numeric, b0 numeric, out a numeric, out b numeric)
language plpgsql immutable strict parallel safe as $$
declare
  w numeric := rs_fetch64(s, at);
  x numeric := rs_fetch64(s, at + 8);
  y numeric := rs_fetch64(s, at + 16);
  z numeric := rs_fetch64(s, at + 24);
  c numeric;
begin
  a := rs_u64_add(a0, w);
  b := rs_u64_rotr(rs_u64_add(rs_u64_add(b0, a), z), 21);
  c := a;
  a := rs_u64_add(rs_u64_add(a, x), y);
  b := rs_u64_add(b, rs_u64_rotr(a, 44));
  a := rs_u64_add(a, z);
  b := rs_u64_add(b, c);
end
$$;
create or replace function rs_farm_fingerprint64(s bytea) returns bigint language plpgsql immutable strict parallel safe as $$
declare
  k0 constant numeric := 14097894508562428199;
  k1 constant numeric := 13011662864482103923;
  k2 constant numeric := 11160318154034397263;
  len int := length(s);
  mul numeric; a numeric; b numeric; c numeric; d numeric; e numeric; f numeric; g numeric; h numeric;
  x numeric; y numeric; z numeric; t numeric;
  v1 numeric := 0; v2 numeric := 0; w1 numeric := 0; w2 numeric := 0;
  r1 numeric; r2 numeric;
  p int := 0;
  last64 int;
  result numeric;
begin
  if len <= 16 then
    if len >= 8 then
      mul := k2 + len * 2;
      a := rs_u64_add(rs_fetch64(s, 0), k2);
      b := rs_fetch64(s, len - 8);
      c := rs_u64_add(rs_u64_mul(rs_u64_rotr(b, 37), mul), a);
      d := rs_u64_mul(rs_u64_add(rs_u64_rotr(a, 25), b), mul);
      result := rs_farm_len16(c, d, mul);
    elsif len >= 4 then
      mul := k2 + len * 2;
      a := rs_fetch32(s, 0);
      result := rs_farm_len16(len + a * 8, rs_fetch32(s, len - 4), mul);
    elsif len > 0 then
      a := get_byte(s, 0); b := get_byte(s, len / 2); c := get_byte(s, len - 1);
      y := a + b * 256;
      z := len + c * 4;
      result := rs_u64_mul(rs_u64_shiftmix(rs_u64_xor(rs_u64_mul(y, k2), rs_u64_mul(z, k0))), k2);
    else
      result := k2;
    end if;
  elsif len <= 32 then
    mul := k2 + len * 2;
    a := rs_u64_mul(rs_fetch64(s, 0), k1);
    b := rs_fetch64(s, 8);
    c := rs_u64_mul(rs_fetch64(s, len - 8), mul);
    d := rs_u64_mul(rs_fetch64(s, len - 16), k2);
    result := rs_farm_len16(rs_u64_add(rs_u64_add(rs_u64_rotr(rs_u64_add(a, b), 43), rs_u64_rotr(c, 30)), d),
      rs_u64_add(rs_u64_add(a, rs_u64_rotr(rs_u64_add(b, k2), 18)), c), mul);
  elsif len <= 64 then
    mul := k2 + len * 2;
    a := rs_u64_mul(rs_fetch64(s, 0), k2);
    b := rs_fetch64(s, 8);
    c := rs_u64_mul(rs_fetch64(s, len - 8), mul);
    d := rs_u64_mul(rs_fetch64(s, len - 16), k2);
    y := rs_u64_add(rs_u64_add(rs_u64_rotr(rs_u64_add(a, b), 43), rs_u64_rotr(c, 30)), d);
    z := rs_farm_len16(y, rs_u64_add(rs_u64_add(a, rs_u64_rotr(rs_u64_add(b, k2), 18)), c), mul);
    e := rs_u64_mul(rs_fetch64(s, 16), mul);
    f := rs_fetch64(s, 24);
    g := rs_u64_mul(rs_u64_add(y, rs_fetch64(s, len - 32)), mul);
    h := rs_u64_mul(rs_u64_add(z, rs_fetch64(s, len - 24)), mul);
    result := rs_farm_len16(rs_u64_add(rs_u64_add(rs_u64_rotr(rs_u64_add(e, f), 43), rs_u64_rotr(g, 30)), h),
      rs_u64_add(rs_u64_add(e, rs_u64_rotr(rs_u64_add(f, a), 18)), g), mul);
  else
    x := 81;
    y := rs_u64_add(rs_u64_mul(81, k1), 113);
    z := rs_u64_mul(rs_u64_shiftmix(rs_u64_add(rs_u64_mul(y, k2), 113)), k2);
    x := rs_u64_add(rs_u64_mul(x, k2), rs_fetch64(s, 0));
    last64 := ((len - 1) / 64) * 64 + ((len - 1) % 64) - 63;
    loop
      x := rs_u64_mul(rs_u64_rotr(rs_u64_add(rs_u64_add(rs_u64_add(x, y), v1), rs_fetch64(s, p + 8)), 37), k1);
      y := rs_u64_mul(rs_u64_rotr(rs_u64_add(rs_u64_add(y, v2), rs_fetch64(s, p + 48)), 42), k1);
      x := rs_u64_xor(x, w2);
      y := rs_u64_add(rs_u64_add(y, v1), rs_fetch64(s, p + 40));
      z := rs_u64_mul(rs_u64_rotr(rs_u64_add(z, w1), 33), k1);
      select r.a, r.b into r1, r2 from rs_farm_weak32(s, p, rs_u64_mul(v2, k1), rs_u64_add(x, w1)) as r;
      v1 := r1; v2 := r2;
      select r.a, r.b into r1, r2 from rs_farm_weak32(s, p + 32, rs_u64_add(z, w2), rs_u64_add(y, rs_fetch64(s, p + 16))) as r;
      w1 := r1; w2 := r2;
      t := z; z := x; x := t;
      p := p + 64;
      exit when p = ((len - 1) / 64) * 64;
    end loop;
    mul := k1 + mod(z, 256) * 2;
    p := last64;
    w1 := rs_u64_add(w1, (len - 1) % 64);
    v1 := rs_u64_add(v1, w1);
    w1 := rs_u64_add(w1, v1);
    x := rs_u64_mul(rs_u64_rotr(rs_u64_add(rs_u64_add(rs_u64_add(x, y), v1), rs_fetch64(s, p + 8)), 37), mul);
    y := rs_u64_mul(rs_u64_rotr(rs_u64_add(rs_u64_add(y, v2), rs_fetch64(s, p + 48)), 42), mul);
    x := rs_u64_xor(x, rs_u64_mul(w2, 9));
    y := rs_u64_add(rs_u64_add(y, rs_u64_mul(v1, 9)), rs_fetch64(s, p + 40));
    z := rs_u64_mul(rs_u64_rotr(rs_u64_add(z, w1), 33), mul);
    select r.a, r.b into r1, r2 from rs_farm_weak32(s, p, rs_u64_mul(v2, mul), rs_u64_add(x, w1)) as r;
    v1 := r1; v2 := r2;
    select r.a, r.b into r1, r2 from rs_farm_weak32(s, p + 32, rs_u64_add(z, w2), rs_u64_add(y, rs_fetch64(s, p + 16))) as r;
    w1 := r1; w2 := r2;
    t := z; z := x; x := t;
    result := rs_farm_len16(
      rs_u64_add(rs_u64_add(rs_farm_len16(v1, w1, mul), rs_u64_mul(rs_u64_shiftmix(y), k0)), z),
      rs_u64_add(rs_farm_len16(v2, w2, mul), x), mul);
  end if;
  return (case when result >= 9223372036854775808 then result - 18446744073709551616 else result end)::bigint;
end
$$;
create or replace function farmfingerprint64(s text) returns bigint language sql immutable strict parallel safe as $$
  select rs_farm_fingerprint64(convert_to(s, 'UTF8'))
$$;
create or replace function farmfingerprint64(s bytea) returns bigint language sql immutable strict parallel safe as $$
  select rs_farm_fingerprint64(s)
$$;
-- "CHECKSUM function": a DECIMAL's digits as an integer (109.20 gives 10920).
create or replace function checksum(v numeric) returns bigint language sql immutable parallel safe as $$
  select (v * power(10::numeric, scale(v)))::bigint
$$;

-- VARBYTE ("VARBYTE type"): LEN counts bytes, TO_HEX and a cast to VARCHAR read the bytes, OCTETINDEX counts bytes.
create or replace function len(b bytea) returns integer language sql immutable parallel safe as $$ select length(b) $$;
create or replace function to_hex(b bytea) returns text language sql immutable parallel safe as $$ select encode(b, 'hex') $$;
create or replace function rs_varbyte_text(b bytea) returns text language sql immutable parallel safe as $$ select convert_from(b, 'UTF8') $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'bytea'::regtype and casttarget = 'text'::regtype) then
    create cast (bytea as text) with function rs_varbyte_text(bytea);
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'bytea'::regtype and casttarget = 'varchar'::regtype) then
    create cast (bytea as varchar) with function rs_varbyte_text(bytea);
  end if;
end $$;
create or replace function octetindex(needle text, haystack text) returns integer language sql immutable parallel safe as $$
  select position(convert_to(needle, 'UTF8') in convert_to(haystack, 'UTF8'))
$$;
-- "CONCAT function": of two strings, or of two VARBYTE values.
create or replace function rs_concat(a text, b text) returns text language sql immutable parallel safe as $$ select a || b $$;
create or replace function rs_concat(a bytea, b bytea) returns bytea language sql immutable parallel safe as $$ select a || b $$;
create or replace function rs_concat(a anynonarray, b text) returns text language sql immutable parallel safe as $$ select a::text || b $$;
create or replace function rs_concat(a text, b anynonarray) returns text language sql immutable parallel safe as $$ select a || b::text $$;
create or replace function rs_concat(a anynonarray, b anynonarray) returns text language sql immutable parallel safe as $$ select a::text || b::text $$;
-- "REPEAT function" and "REVERSE function" take numbers too, as their text.
create or replace function repeat(s bigint, n integer) returns text language sql immutable parallel safe as $$ select repeat(s::text, n) $$;
create or replace function repeat(s numeric, n integer) returns text language sql immutable parallel safe as $$ select repeat(s::text, n) $$;
create or replace function reverse(s bigint) returns text language sql immutable parallel safe as $$ select reverse(s::text) $$;
create or replace function reverse(s numeric) returns text language sql immutable parallel safe as $$ select reverse(s::text) $$;
-- "SOUNDEX function": American Soundex of the ASCII letters ('' when there are none); "DIFFERENCE function": how many
-- of the four characters of the two codes match.
create or replace function soundex(s text) returns text language plpgsql immutable parallel safe as $$
declare
  letters text := upper(regexp_replace(coalesce(s, ''), '[^A-Za-z]', '', 'g'));
  codes constant text := '01230120022455012623010202';
  result text;
  previous text;
  code text;
  ch text;
  i int;
begin
  if s is null then return null; end if;
  if letters = '' then return ''; end if;
  result := left(letters, 1);
  previous := substr(codes, ascii(result) - 64, 1);
  for i in 2 .. length(letters) loop
    exit when length(result) = 4;
    ch := substr(letters, i, 1);
    code := substr(codes, ascii(ch) - 64, 1);
    if ch in ('H', 'W') then continue; end if;
    if code = '0' then previous := '0'; continue; end if;
    if code <> previous then result := result || code; end if;
    previous := code;
  end loop;
  return rpad(result, 4, '0');
end
$$;
create or replace function difference(a text, b text) returns integer language sql immutable parallel safe as $$
  select case when a is null or b is null then null else
    (select count(*)::int from generate_series(1, 4) as i
      where substr(soundex(a), i, 1) = substr(soundex(b), i, 1) and substr(soundex(a), i, 1) <> '') end
$$;

create or replace function repeat(s integer, n integer) returns text language sql immutable parallel safe as $$ select repeat(s::text, n) $$;
create or replace function reverse(s integer) returns text language sql immutable parallel safe as $$ select reverse(s::text) $$;
-- "TO_CHAR": a TIMESTAMP's TZ is UTC (TIMESTAMP values are UTC); L is the currency symbol, $ (PL, plus-or-minus,
-- is another field).
create or replace function rs_currency_format(fmt text) returns text language sql immutable parallel safe as $$
  select regexp_replace(fmt, '(^|[^Pp])[Ll]', chr(92) || '1"$"', 'g')
$$;
create or replace function rs_to_char(t timestamp, fmt text) returns text language sql stable parallel safe as $$
  select to_char(t at time zone 'UTC', fmt)
$$;
create or replace function rs_to_char(t timestamptz, fmt text) returns text language sql stable parallel safe as $$ select to_char(t, fmt) $$;
create or replace function rs_to_char(t interval, fmt text) returns text language sql immutable parallel safe as $$ select to_char(t, fmt) $$;
create or replace function rs_to_char(n numeric, fmt text) returns text language sql immutable parallel safe as $$
  select to_char(n, rs_currency_format(fmt))
$$;
create or replace function rs_to_char(n double precision, fmt text) returns text language sql immutable parallel safe as $$
  select to_char(n, rs_currency_format(fmt))
$$;
create or replace function rs_to_char(n real, fmt text) returns text language sql immutable parallel safe as $$
  select to_char(n, rs_currency_format(fmt))
$$;
create or replace function rs_to_char(n bigint, fmt text) returns text language sql immutable parallel safe as $$
  select to_char(n, rs_currency_format(fmt))
$$;
create or replace function rs_to_char(n integer, fmt text) returns text language sql immutable parallel safe as $$
  select to_char(n, rs_currency_format(fmt))
$$;
-- "TO_TIMESTAMP function": hour 24 is midnight of the next day ('2011-12-18 24:38:15' is 2011-12-19 00:38:15).
create or replace function rs_to_timestamp(s text, fmt text, is_strict boolean default false) returns timestamptz language plpgsql stable as $$
declare
  hour_at int := strpos(upper(fmt), 'HH24');
begin
  return to_timestamp(s, fmt);
exception when datetime_field_overflow then
  if is_strict or hour_at = 0 or substr(s, hour_at, 2) <> '24' then raise; end if;
  return to_timestamp(overlay(s placing '00' from hour_at for 2), fmt) + interval '1 day';
end
$$;
create or replace function rs_to_timestamp(epoch double precision) returns timestamptz language sql immutable parallel safe as $$
  select to_timestamp(epoch)
$$;
-- The values ARRAY() and OBJECT() take ("ARRAY function", "OBJECT function"): SUPER scalars and SUPER; a date or
-- time is refused (Redshift casts no datetime type to SUPER, "Limitations").
create or replace function rs_super_arg(v text) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_super_arg(v numeric) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_super_arg(v double precision) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_super_arg(v bigint) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_super_arg(v integer) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_super_arg(v boolean) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_super_arg(v jsonb) returns jsonb language sql immutable parallel safe as $$ select v $$;
-- A string compared with a DATE or TIMESTAMP is read as one ("Type compatibility and conversion": CHAR and VARCHAR
-- convert implicitly to the datetime types), as in processed_date > maxrundate.
do $$
declare
  ops text[] := array['=', '<>', '<', '>', '<=', '>='];
  names text[] := array['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
  kinds text[] := array['timestamp', 'date'];
  k int;
  t text;
begin
  foreach t in array kinds loop
    for k in 1 .. 6 loop
      execute format('create or replace function rs_text_%1$s_%2$s(a text, b %2$s) returns boolean language sql stable parallel safe as %4$s select a::%2$s %3$s b %4$s', names[k], t, ops[k], '$f$');
      execute format('create or replace function rs_%2$s_%1$s_text(a %2$s, b text) returns boolean language sql stable parallel safe as %4$s select a %3$s b::%2$s %4$s', names[k], t, ops[k], '$f$');
      if not exists (select from pg_operator where oprname = ops[k] and oprleft = 'text'::regtype and oprright = t::regtype) then
        execute format('create operator %s (leftarg = text, rightarg = %s, function = rs_text_%s_%s)', ops[k], t, names[k], t);
      end if;
      if not exists (select from pg_operator where oprname = ops[k] and oprleft = t::regtype and oprright = 'text'::regtype) then
        execute format('create operator %s (leftarg = %s, rightarg = text, function = rs_%s_%s_text)', ops[k], t, t, names[k]);
      end if;
    end loop;
  end loop;
end
$$;
-- SUPER ("SUPER type") is jsonb locally: navigation is rewritten to -> (lax: a missing attribute or element is NULL,
-- attribute names in lower case as Redshift folds them); these are the SUPER functions. Unlike Redshift, jsonb keeps
-- one value per key and orders an object's keys shorter first, which JSON_SERIALIZE of an object shows, and keeps no
-- floating-point number apart from DECIMAL (the lint refuses IS_FLOAT).
create or replace function rs_super_text(v jsonb) returns text language sql immutable strict parallel safe as $$
  select regexp_replace(format('%s', v), '("(?:[^"' || chr(92) || chr(92) || ']|' || chr(92) || chr(92) || '.)*")|([,:]) ',
    chr(92) || '1' || chr(92) || '2', 'g')
$$;
create or replace function rs_json_serialize(v jsonb) returns text language sql immutable parallel safe as $$ select rs_super_text(v) $$;
create or replace function rs_json_serialize(v text) returns text language sql immutable parallel safe as $$ select rs_super_text(to_jsonb(v)) $$;
create or replace function json_serialize_to_varbyte(v jsonb) returns bytea language sql immutable parallel safe as $$
  select convert_to(rs_super_text(v), 'UTF8')
$$;
create or replace function json_size(v jsonb) returns integer language sql immutable parallel safe as $$
  select octet_length(rs_super_text(v))
$$;
create or replace function json_typeof(v jsonb) returns text language sql immutable parallel safe as $$ select jsonb_typeof(v) $$;
create or replace function is_array(v jsonb) returns boolean language sql immutable parallel safe as $$ select jsonb_typeof(v) = 'array' $$;
create or replace function is_object(v jsonb) returns boolean language sql immutable parallel safe as $$ select jsonb_typeof(v) = 'object' $$;
create or replace function is_scalar(v jsonb) returns boolean language sql immutable parallel safe as $$
  select jsonb_typeof(v) not in ('array', 'object')
$$;
create or replace function is_boolean(v jsonb) returns boolean language sql immutable parallel safe as $$ select jsonb_typeof(v) = 'boolean' $$;
create or replace function is_varchar(v jsonb) returns boolean language sql immutable parallel safe as $$ select jsonb_typeof(v) = 'string' $$;
create or replace function is_char(v jsonb) returns boolean language sql immutable parallel safe as $$ select jsonb_typeof(v) = 'string' $$;
create or replace function rs_super_integral(v jsonb, low numeric, high numeric) returns boolean language sql immutable parallel safe as $$
  select jsonb_typeof(v) = 'number' and (v #>> '{}')::numeric = trunc((v #>> '{}')::numeric)
    and strpos(v #>> '{}', '.') = 0 and (v #>> '{}')::numeric between low and high
$$;
create or replace function is_smallint(v jsonb) returns boolean language sql immutable parallel safe as $$ select rs_super_integral(v, -32768, 32767) $$;
create or replace function is_integer(v jsonb) returns boolean language sql immutable parallel safe as $$ select rs_super_integral(v, -2147483648, 2147483647) $$;
create or replace function is_bigint(v jsonb) returns boolean language sql immutable parallel safe as $$
  select rs_super_integral(v, -9223372036854775808, 9223372036854775807)
$$;
create or replace function is_decimal(v jsonb) returns boolean language sql immutable parallel safe as $$ select jsonb_typeof(v) = 'number' $$;
create or replace function get_array_length(v jsonb) returns integer language sql immutable parallel safe as $$
  select case when jsonb_typeof(v) = 'array' then jsonb_array_length(v) end
$$;
create or replace function split_to_array(s text, delimiter text default ',') returns jsonb language sql immutable parallel safe as $$
  select to_jsonb(string_to_array(s, delimiter))
$$;
create or replace function array_concat(a jsonb, b jsonb) returns jsonb language sql immutable parallel safe as $$
  select case when jsonb_typeof(a) = 'array' and jsonb_typeof(b) = 'array' then a || b end
$$;
create or replace function subarray(a jsonb, start integer, n integer) returns jsonb language sql immutable parallel safe as $$
  select case when jsonb_typeof(a) = 'array' then coalesce(
    (select jsonb_agg(e order by i) from jsonb_array_elements(a) with ordinality as x(e, i) where i - 1 >= start and i - 1 < start + n),
    '[]'::jsonb) end
$$;
create or replace function array_flatten(a jsonb) returns jsonb language sql immutable parallel safe as $$
  select case when jsonb_typeof(a) = 'array' then coalesce(
    (select jsonb_agg(inner_e order by i, j) from jsonb_array_elements(a) with ordinality as x(e, i),
      lateral jsonb_array_elements(case when jsonb_typeof(e) = 'array' then e else jsonb_build_array(e) end) with ordinality as y(inner_e, j)),
    '[]'::jsonb) end
$$;
-- Casts of a SUPER value (lax: a value of another type gives NULL, cast_super_null_on_error): a string scalar as
-- VARCHAR is its text, unquoted.
create or replace function rs_super_to_text(v jsonb) returns text language sql immutable parallel safe as $$
  select case when jsonb_typeof(v) in ('string', 'number', 'boolean') then v #>> '{}' end
$$;
create or replace function rs_super_to_numeric(v jsonb) returns numeric language sql immutable parallel safe as $$
  select case when jsonb_typeof(v) = 'number' then (v #>> '{}')::numeric end
$$;
create or replace function rs_super_to_float(v jsonb) returns double precision language sql immutable parallel safe as $$
  select case when jsonb_typeof(v) = 'number' then (v #>> '{}')::double precision end
$$;
create or replace function rs_super_to_boolean(v jsonb) returns boolean language sql immutable parallel safe as $$
  select case jsonb_typeof(v) when 'boolean' then (v #>> '{}')::boolean
    when 'number' then case when strpos(v #>> '{}', '.') = 0 then (v #>> '{}')::numeric <> 0 end end
$$;
-- A SUPER value cast to VARCHAR, or stored into a VARCHAR column, is its scalar's text.
do $$ begin
  if not exists (select from pg_cast where castsource = 'jsonb'::regtype and casttarget = 'text'::regtype) then
    create cast (jsonb as text) with function rs_super_to_text(jsonb) as assignment;
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'jsonb'::regtype and casttarget = 'varchar'::regtype) then
    create cast (jsonb as varchar) with function rs_super_to_text(jsonb) as assignment;
  end if;
end $$;
-- Casts to SUPER: a number, boolean or string becomes that scalar (a string is not parsed: that is JSON_PARSE).
create or replace function rs_to_super(v numeric) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_to_super(v double precision) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_to_super(v integer) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_to_super(v bigint) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_to_super(v boolean) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
create or replace function rs_to_super(v text) returns jsonb language sql immutable parallel safe as $$ select to_jsonb(v) $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'numeric'::regtype and casttarget = 'jsonb'::regtype) then
    create cast (numeric as jsonb) with function rs_to_super(numeric);
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'double precision'::regtype and casttarget = 'jsonb'::regtype) then
    create cast (double precision as jsonb) with function rs_to_super(double precision);
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'integer'::regtype and casttarget = 'jsonb'::regtype) then
    create cast (integer as jsonb) with function rs_to_super(integer);
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'bigint'::regtype and casttarget = 'jsonb'::regtype) then
    create cast (bigint as jsonb) with function rs_to_super(bigint);
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'boolean'::regtype and casttarget = 'jsonb'::regtype) then
    create cast (boolean as jsonb) with function rs_to_super(boolean);
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'text'::regtype and casttarget = 'jsonb'::regtype) then
    create cast (text as jsonb) with function rs_to_super(text);
  end if;
end $$;
do $$ begin
  if not exists (select from pg_cast where castsource = 'varchar'::regtype and casttarget = 'jsonb'::regtype) then
    create cast (varchar as jsonb) with function rs_to_super(text);
  end if;
end $$;
-- A SUPER value compared with a string is compared with that string scalar ('IdentityCheck' is not parsed as JSON).
create or replace function rs_super_eq_text(a jsonb, b text) returns boolean language sql immutable parallel safe as $$ select a = to_jsonb(b) $$;
create or replace function rs_super_ne_text(a jsonb, b text) returns boolean language sql immutable parallel safe as $$ select a <> to_jsonb(b) $$;
create or replace function rs_text_eq_super(a text, b jsonb) returns boolean language sql immutable parallel safe as $$ select to_jsonb(a) = b $$;
create or replace function rs_text_ne_super(a text, b jsonb) returns boolean language sql immutable parallel safe as $$ select to_jsonb(a) <> b $$;
do $$ begin
  if not exists (select from pg_operator where oprname = '=' and oprleft = 'jsonb'::regtype and oprright = 'text'::regtype) then
    create operator = (leftarg = jsonb, rightarg = text, function = rs_super_eq_text);
    create operator <> (leftarg = jsonb, rightarg = text, function = rs_super_ne_text);
    create operator = (leftarg = text, rightarg = jsonb, function = rs_text_eq_super);
    create operator <> (leftarg = text, rightarg = jsonb, function = rs_text_ne_super);
  end if;
end $$;
-- Unary minus of a SUPER number ("Operators and functions": NULL when it is not a number).
create or replace function rs_super_negate(v jsonb) returns jsonb language sql immutable parallel safe as $$
  select case when jsonb_typeof(v) = 'number' then to_jsonb(-((v #>> '{}')::numeric)) end
$$;
do $$ begin
  if not exists (select from pg_operator where oprname = '-' and oprleft = 0 and oprright = 'jsonb'::regtype) then
    create operator - (rightarg = jsonb, function = rs_super_negate);
  end if;
end $$;
`;

/**
 * Per session, after the functions (whose bodies avoid backslashes): Redshift string literals take backslash escapes
 * ('\\.' in a pattern is one backslash and a dot, as the Redshift documentation writes regular expressions).
 */
export const REDSHIFT_SESSION_SQL = `
set standard_conforming_strings = off;
set escape_string_warning = off;
set extra_float_digits = 0;
`;
