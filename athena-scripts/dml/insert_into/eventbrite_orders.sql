-- eventbrite_orders: one row per attendee (event_id = the attendee id) into the eventbrite stage table.
-- Orders arrive more than once (changed-since overlap, re-pulls); each attendee keeps its latest change, then its
-- latest pull. Attendance status rules, first match wins:
--   refunded > cancelled > transferred (the ticket moved to another attendee) > checked_in (flag, status, or a used
--   barcode: the status lags behind the scanner) > attending > not_attending > unknown.
-- Arrays are walked by index (sequence + element_at) because Athena expands UNNEST of an array of rows into one
-- column per field while the local engine keeps a single row column; an index is read the same way by both.
insert into {{stage_database}}.eventbrite (
  event_id,
  attendee_id,
  order_id,
  eventbrite_event_id,
  event_title,
  event_start_at,
  ticket_class_name,
  first_name,
  last_name,
  email_address,
  eventbrite_status,
  attendance_status,
  is_checked_in,
  is_attending,
  order_created_at,
  attendee_changed_at,
  pulled_at,
  processed_date,
  event_name
)
with source as (
  select
    record,
    pulled_at,
    year,
    month,
    day
  from {{raw_database}}.eventbrite_orders
  -- only the pull days of this run's window
  where concat(year, '-', month, '-', day) > :window_from
    and concat(year, '-', month, '-', day) <= :window_to
),

attendees as (
  select
    source.record.id as order_id,
    source.record.event_id as eventbrite_event_id,
    source.record.event.name.text as event_title,
    source.record.event."start".utc as event_start_utc,
    source.record.created as order_created,
    element_at(source.record.attendees, attendee_index) as attendee,
    source.pulled_at,
    source.year,
    source.month,
    source.day
  from source
  cross join unnest(sequence(1, cast(greatest(cardinality(source.record.attendees), 1) as bigint))) as numbered (attendee_index)
),

renamed as (
  select
    attendee.id as attendee_id,
    order_id,
    eventbrite_event_id,
    event_title,
    cast(from_iso8601_timestamp(event_start_utc) as timestamp) as event_start_at,
    attendee.ticket_class_name as ticket_class_name,
    attendee.profile.first_name as first_name,
    attendee.profile.last_name as last_name,
    attendee.profile.email as email_address,
    attendee.status as eventbrite_status,
    case
      when attendee.refunded then 'refunded'
      when attendee.cancelled then 'cancelled'
      when lower(attendee.status) = 'transferred' then 'transferred'
      when
        attendee.checked_in
        or lower(attendee.status) = 'checked in'
        or coalesce(contains(transform(attendee.barcodes, barcode -> barcode.status), 'used'), false)
        then 'checked_in'
      when lower(attendee.status) = 'attending' then 'attending'
      when lower(attendee.status) in ('not attending', 'deleted') then 'not_attending'
      else 'unknown'
    end as attendance_status,
    cast(from_iso8601_timestamp(order_created) as timestamp) as order_created_at,
    cast(from_iso8601_timestamp(attendee.changed) as timestamp) as attendee_changed_at,
    cast(from_iso8601_timestamp(pulled_at) as timestamp) as pulled_at,
    cast(concat(year, '-', month, '-', day) as date) as processed_date
  from attendees
  where attendee is not null
),

ranked as (
  select
    *,
    row_number() over (
      partition by attendee_id
      order by attendee_changed_at desc, pulled_at desc
    ) as copy_rank
  from renamed
)

select
  attendee_id as event_id,
  attendee_id,
  order_id,
  eventbrite_event_id,
  event_title,
  event_start_at,
  ticket_class_name,
  first_name,
  last_name,
  email_address,
  eventbrite_status,
  attendance_status,
  attendance_status = 'checked_in' as is_checked_in,
  attendance_status in ('checked_in', 'attending') as is_attending,
  order_created_at,
  attendee_changed_at,
  pulled_at,
  processed_date,
  'eventbrite_orders' as event_name
from ranked
where copy_rank = 1
