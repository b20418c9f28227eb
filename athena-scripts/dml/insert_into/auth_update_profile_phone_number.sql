-- auth_update_profile_phone_number: one row per event_id of AUTH_UPDATE_PROFILE_PHONE_NUMBER, into the auth_account_creation stage table.
-- The user set the phone number that receives SMS codes.
-- Duplicates (Firehose re-deliveries, producer retries) keep the earliest timestamp; a tie keeps the copy from
-- the earliest delivery day. Copies tied on both are the same record delivered twice, so any one will do.
insert into {{stage_database}}.auth_account_creation (
  event_id,
  event_at,
  event_date,
  client_id,
  component_id,
  user_id,
  email_address,
  govuk_signin_journey_id,
  session_id,
  journey_type,
  mfa_type,
  is_account_recovery,
  phone_number_country_code,
  processed_date,
  event_name
)
with source as (
  select
    event_id,
    event_name,
    "timestamp",
    client_id,
    component_id,
    "user",
    extensions,
    year,
    month,
    day,
    row_number() over (
      partition by event_id
      order by "timestamp", year, month, day
    ) as delivery_rank
  from {{raw_database}}.auth_update_profile_phone_number
  -- only the delivery days of this run's window, so a run reads only the partitions it needs
  where concat(year, '-', month, '-', day) > :window_from
    and concat(year, '-', month, '-', day) <= :window_to
),

renamed as (
  select
    event_id,
    cast(from_unixtime("timestamp") as timestamp) as event_at,
    -- the calendar day in UTC, as analysts group by it
    cast(date_format(from_unixtime("timestamp"), '%Y-%m-%d') as date) as event_date,
    client_id,
    component_id,
    "user".user_id as user_id,
    "user".email as email_address,
    "user".govuk_signin_journey_id as govuk_signin_journey_id,
    "user".session_id as session_id,
    extensions.journey_type as journey_type,
    extensions.mfa_type as mfa_type,
    extensions.account_recovery as is_account_recovery,
    extensions.phone_number_country_code as phone_number_country_code,
    cast(concat(year, '-', month, '-', day) as date) as processed_date,
    lower(event_name) as event_name
  from source
  where delivery_rank = 1
)

select
  event_id,
  event_at,
  event_date,
  client_id,
  component_id,
  user_id,
  email_address,
  govuk_signin_journey_id,
  session_id,
  journey_type,
  mfa_type,
  is_account_recovery,
  phone_number_country_code,
  processed_date,
  event_name
from renamed
