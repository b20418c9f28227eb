-- Federation and consolidation: one federated id per (source, native id), people linked across sources into
-- consolidated customers by configured match keys (procedures/scv_match_rules.sql), survivorship per attribute.

-- One row per (source, native id) ever seen. federated_id is assigned once (max + row_number, in the procedure) and
-- never reused: a record that disappears keeps its row and id (is_deleted); if it returns, it gets the same id back.
create table if not exists {{reporting_schema}}.scv_federated_id (
  source varchar(64) not null,
  native_id varchar(256) not null,
  federated_id bigint not null,
  first_seen_run_id varchar(128) not null,
  first_seen_at timestamp not null,
  is_deleted boolean not null,
  changed_run_id varchar(128) not null,
  changed_at timestamp not null
)
distkey (native_id)
sortkey (federated_id);

-- Sources taking part in the single customer view; priority breaks survivorship ties (1 wins).
create table if not exists {{reporting_schema}}.scv_source (
  source varchar(64) not null,
  priority integer not null,
  description varchar(1024)
)
diststyle all;

-- Match keys per source: key_expression is SQL over scv_source_record's columns (first_name, last_name, email,
-- phone, organisation); records sharing a (key_name, value) are the same customer. With ambiguous_if_first_names_differ,
-- a value shared by records with different first names (a family or shared mailbox) links nobody.
create table if not exists {{reporting_schema}}.scv_match_rule (
  source varchar(64) not null,
  key_name varchar(64) not null,
  key_expression varchar(1024) not null,
  priority integer not null,
  ambiguous_if_first_names_differ boolean not null
)
diststyle all;

-- Person attributes per source record as the sources hold them (work table, rebuilt per call). A record may have
-- several rows (a CRM contact's earlier versions, a TxMA user's earlier email addresses): all feed match keys,
-- the is_latest row feeds survivorship.
create table if not exists {{reporting_schema}}.scv_source_record (
  source varchar(64) not null,
  native_id varchar(256) not null,
  observed_at timestamp,
  is_latest boolean not null,
  first_name varchar(256),
  last_name varchar(256),
  email varchar(512),
  phone varchar(64),
  organisation varchar(512)
)
distkey (native_id);

-- Match key values per record (work table, rebuilt per call).
create table if not exists {{reporting_schema}}.scv_record_key (
  source varchar(64) not null,
  native_id varchar(256) not null,
  key_name varchar(64) not null,
  key_value varchar(1024) not null,
  priority integer not null,
  is_ambiguous boolean not null
)
distkey (key_value);

-- Customer label per record while linking (work table).
create table if not exists {{reporting_schema}}.scv_cluster (
  source varchar(64) not null,
  native_id varchar(256) not null,
  federated_id bigint not null,
  customer_id bigint not null
)
distkey (native_id);

-- One row per live source record: its customer, its own latest attributes, and which key linked it.
create table if not exists {{reporting_schema}}.scv_person (
  source varchar(64) not null,
  native_id varchar(256) not null,
  federated_id bigint not null,
  customer_id bigint not null,
  first_name varchar(256),
  last_name varchar(256),
  email varchar(512),
  phone varchar(64),
  organisation varchar(512),
  observed_at timestamp,
  match_key varchar(64),
  match_explanation varchar(1024) not null,
  content_hash varchar(32) not null,
  changed_run_id varchar(128) not null
)
distkey (native_id)
sortkey (customer_id);

-- The single customer view: one row per consolidated customer (customer_id = the smallest federated id among its
-- records), each attribute the most recent non-null value among its records by source timestamp (ties: source
-- priority, then source and native id).
create table if not exists {{reporting_schema}}.scv_customer (
  customer_id bigint not null,
  first_name varchar(256),
  last_name varchar(256),
  email varchar(512),
  phone varchar(64),
  organisation varchar(512),
  record_count integer not null,
  source_count integer not null,
  first_observed_at timestamp,
  last_observed_at timestamp,
  content_hash varchar(32) not null,
  changed_run_id varchar(128) not null
)
distkey (customer_id)
sortkey (customer_id);

-- Work tables for the diff that keeps unchanged rows (and their changed_run_id) untouched.
create table if not exists {{reporting_schema}}.scv_person_new (
  source varchar(64) not null,
  native_id varchar(256) not null,
  federated_id bigint not null,
  customer_id bigint not null,
  first_name varchar(256),
  last_name varchar(256),
  email varchar(512),
  phone varchar(64),
  organisation varchar(512),
  observed_at timestamp,
  match_key varchar(64),
  match_explanation varchar(1024) not null,
  content_hash varchar(32) not null
)
distkey (native_id);

create table if not exists {{reporting_schema}}.scv_customer_new (
  customer_id bigint not null,
  first_name varchar(256),
  last_name varchar(256),
  email varchar(512),
  phone varchar(64),
  organisation varchar(512),
  record_count integer not null,
  source_count integer not null,
  first_observed_at timestamp,
  last_observed_at timestamp,
  content_hash varchar(32) not null
)
distkey (customer_id);
