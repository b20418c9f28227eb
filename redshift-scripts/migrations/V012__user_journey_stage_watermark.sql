-- uj_stage_watermark: how far sp_user_journey has read the TxMA stage tables.
--
-- Grain: one row per (source_family, processed_date) stage partition that sp_user_journey has loaded, with the row
-- count it had then. A run re-reads only the partitions whose count differs from this table (new delivery days,
-- and old days a backfill or a late file re-wrote), so its cost follows the new data, not the history; the
-- event_id anti-join against the fact then makes re-reading a partition harmless. A plain high-water mark on
-- processed_date would miss a backfill of a day older than its overlap window: this is a high-water mark per day.
-- A few rows per family and day: DISTSTYLE ALL.
create table if not exists {{reporting_schema}}.uj_stage_watermark (
  source_family varchar(128) not null,
  processed_date date not null,
  row_count bigint not null,
  loaded_run_id varchar(128) not null,
  loaded_at timestamp not null,
  primary key (source_family, processed_date)
)
diststyle all
sortkey (source_family, processed_date);
