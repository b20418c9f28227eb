-- The user journey fact and its audit of duplicates (filled by sp_user_journey).
--
-- fact_user_journey_event. Grain: one row per TxMA event_id, for ever. The first copy of an event to reach the
-- warehouse is loaded (within one load: earliest event_at, then earliest processed_date, then source family name);
-- any later copy goes to err_duplicate_event instead. Rows are never updated or deleted.
-- DISTKEY(event_id): ids are random UUIDs, so rows spread evenly (user_id is NULL before an account exists and would
-- skew onto one slice), and every load anti-joins its candidates to this table on event_id, collocated. Analysts'
-- joins are to the DISTSTYLE ALL dimensions, so they never redistribute. Sorted by event_date first: reports filter
-- on a date range, and loads append in date order, so the table stays mostly sorted.
create table if not exists {{reporting_schema}}.fact_user_journey_event (
  event_id varchar(128) not null,
  date_key integer, -- dim_date.date_key of event_date
  event_key integer, -- dim_event.event_key of the event name
  event_at timestamp,
  event_date date,
  user_id varchar(256),
  govuk_signin_journey_id varchar(256),
  session_id varchar(256),
  client_id varchar(256),
  component_id varchar(512),
  source_family varchar(128) not null, -- the stage table (product family) the loaded copy came from
  processed_date date not null, -- the loaded copy's delivery day (its stage partition)
  loaded_run_id varchar(128) not null,
  loaded_at timestamp not null,
  primary key (event_id)
)
diststyle key
distkey (event_id)
compound sortkey (event_date, event_key);

-- err_duplicate_event. Grain: one row per copy of an event that was NOT loaded because its event_id is already in
-- the fact, identified by (event_id, source_family, processed_date): the same event in a second family, or a stage
-- row re-written into another delivery day by a backfill. Each such copy is recorded once, in the run that first saw
-- it; reading it again in a later run adds nothing. first_* describe the copy the fact holds.
create table if not exists {{reporting_schema}}.err_duplicate_event (
  event_id varchar(128) not null,
  source_family varchar(128) not null,
  processed_date date not null,
  event_name varchar(128),
  event_at timestamp,
  first_source_family varchar(128) not null,
  first_processed_date date not null,
  first_event_at timestamp,
  first_loaded_run_id varchar(128) not null,
  duplicate_run_id varchar(128) not null, -- the run that saw this copy
  duplicate_seen_at timestamp not null,
  primary key (event_id, source_family, processed_date)
)
diststyle key
distkey (event_id)
sortkey (duplicate_seen_at);
