-- Conformed dimensions of the user journey model (filled by sp_user_journey).
--
-- dim_date. Grain: one row per calendar date (UTC). Covers every event_date of fact_user_journey_event as one
-- contiguous range from the first to the last fact date (so a day with no events still has its row). Weeks follow
-- ISO 8601: weeks start on Monday and week 1 is the week holding the year's first Thursday, so 2024-12-30 is in
-- week 1 of ISO year 2025. A few thousand rows joined by every fact query: DISTSTYLE ALL, sorted by its key.
create table if not exists {{reporting_schema}}.dim_date (
  date_key integer not null, -- YYYYMMDD, e.g. 20240115
  calendar_date date not null,
  day_of_week smallint not null, -- ISO: 1 = Monday ... 7 = Sunday
  day_name varchar(9) not null, -- Monday ... Sunday
  day_of_month smallint not null,
  day_of_year smallint not null,
  iso_week smallint not null, -- 1 ... 53
  iso_year smallint not null, -- the year the ISO week belongs to (differs from year around 1 January)
  week_start_date date not null, -- the Monday of the ISO week
  month smallint not null,
  month_name varchar(9) not null,
  quarter smallint not null,
  year smallint not null,
  is_weekend boolean not null,
  primary key (date_key)
)
diststyle all
sortkey (date_key);

-- dim_event. Grain: one row per event_name (the lower-case config event name, e.g. auth_create_account), with the
-- product family (stage table) it comes from. event_key is a surrogate assigned once, when the name is first loaded,
-- and never changed or reused, so keys are stable across runs. Tiny: DISTSTYLE ALL.
create table if not exists {{reporting_schema}}.dim_event (
  event_key integer not null,
  event_name varchar(128) not null,
  product_family varchar(128) not null,
  first_loaded_run_id varchar(128) not null,
  created_at timestamp not null,
  primary key (event_key)
)
diststyle all
sortkey (event_key);
