-- smartsurvey_responses: one row per answer value (event_id = <response_id>-<question_id>-<answer position>) into
-- the smartsurvey stage table. Responses arrive more than once (changed-since overlap); each keeps its latest
-- modification, then its latest pull. answer_kind by question type:
--   radio, dropdown                 -> single_choice (one row)
--   checkbox                        -> multiple_choice (one row per ticked choice)
--   matrix*                         -> matrix_row (one row per row answered; the label is the column picked)
--   essay, textbox, comment, text*  -> free_text
--   a choice question's typed text without a choice ("Other, please specify") -> other_text
-- Arrays are walked by index (sequence + element_at): Athena expands UNNEST of an array of rows into one column per
-- field while the local engine keeps a single row column; an index is read the same way by both.
insert into {{stage_database}}.smartsurvey (
  event_id,
  survey_id,
  response_id,
  response_status,
  response_started_at,
  response_ended_at,
  response_modified_at,
  page_title,
  question_id,
  question_position,
  question_title,
  question_type,
  answer_kind,
  matrix_row_id,
  matrix_row_title,
  choice_id,
  answer_text,
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
    day,
    row_number() over (
      partition by record.id
      order by from_iso8601_timestamp(record.date_modified) desc, pulled_at desc
    ) as copy_rank
  from {{raw_database}}.smartsurvey_responses
  -- only the pull days of this run's window
  where concat(year, '-', month, '-', day) > :window_from
    and concat(year, '-', month, '-', day) <= :window_to
),

pages as (
  select
    source.record,
    source.pulled_at,
    source.year,
    source.month,
    source.day,
    element_at(source.record.pages, page_index) as survey_page
  from source
  cross join unnest(sequence(1, cast(greatest(cardinality(source.record.pages), 1) as bigint))) as numbered (page_index)
  where source.copy_rank = 1
),

questions as (
  select
    pages.record,
    pages.pulled_at,
    pages.year,
    pages.month,
    pages.day,
    pages.survey_page.title as page_title,
    element_at(pages.survey_page.questions, question_index) as question
  from pages
  cross join unnest(sequence(1, cast(greatest(cardinality(pages.survey_page.questions), 1) as bigint))) as numbered (question_index)
  where pages.survey_page is not null
),

answers as (
  select
    questions.record,
    questions.pulled_at,
    questions.year,
    questions.month,
    questions.day,
    questions.page_title,
    questions.question,
    answer_index,
    element_at(questions.question.answers, answer_index) as answer
  from questions
  cross join unnest(sequence(1, cast(greatest(cardinality(questions.question.answers), 1) as bigint))) as numbered (answer_index)
  where questions.question is not null
),

renamed as (
  select
    concat(
      cast(record.id as varchar), '-', cast(question.id as varchar), '-', cast(answer_index as varchar)
    ) as event_id,
    record.survey_id as survey_id,
    record.id as response_id,
    record.status as response_status,
    cast(from_iso8601_timestamp(record.date_started) as timestamp) as response_started_at,
    cast(from_iso8601_timestamp(record.date_ended) as timestamp) as response_ended_at,
    cast(from_iso8601_timestamp(record.date_modified) as timestamp) as response_modified_at,
    page_title,
    question.id as question_id,
    question.position as question_position,
    question.title as question_title,
    question.type as question_type,
    case
      when lower(question.type) like 'matrix%' and answer.row_id is not null then 'matrix_row'
      when lower(question.type) in ('radio', 'dropdown', 'checkbox') and answer.choice_id is null
        and answer.value is not null then 'other_text'
      when lower(question.type) in ('radio', 'dropdown') then 'single_choice'
      when lower(question.type) = 'checkbox' then 'multiple_choice'
      when lower(question.type) in ('essay', 'textbox', 'comment', 'text', 'multiple_textbox') then 'free_text'
      else 'unknown'
    end as answer_kind,
    answer.row_id as matrix_row_id,
    answer.row_title as matrix_row_title,
    answer.choice_id as choice_id,
    coalesce(answer.choice_title, answer.column_title, answer.value) as answer_text,
    cast(from_iso8601_timestamp(pulled_at) as timestamp) as pulled_at,
    cast(concat(year, '-', month, '-', day) as date) as processed_date
  from answers
  where answer is not null
)

select
  event_id,
  survey_id,
  response_id,
  response_status,
  response_started_at,
  response_ended_at,
  response_modified_at,
  page_title,
  question_id,
  question_position,
  question_title,
  question_type,
  answer_kind,
  matrix_row_id,
  matrix_row_title,
  choice_id,
  answer_text,
  pulled_at,
  processed_date,
  'smartsurvey_responses' as event_name
from renamed
