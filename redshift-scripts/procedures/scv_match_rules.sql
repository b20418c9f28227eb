-- Single customer view config, re-applied whenever this file changes (the next sp_single_customer_view call relinks
-- every record with the new rules; federated ids are untouched).
--
-- scv_source: the sources taking part; priority breaks survivorship ties (1 wins).
-- scv_match_rule: per source, the match keys. normaliser names how a record's key value is made (sp_scv_consolidate
--   holds the SQL of each; a rule carries no SQL): email = the email lower-cased without spaces when it looks like
--   an address (x@y); phone = the phone when it has 10 characters or more. Records whose normalised values give the
--   same (key_name, value) are one customer (transitively). priority orders the keys in the match explanation (1 = strongest). With
--   ambiguous_if_first_names_differ, a value shared by records with different first names (a family or shared
--   mailbox) links nobody, and the explanation says so.
-- A source with no rule (SmartSurvey: responses carry no respondent email or name) stays as singleton customers.

delete from {{reporting_schema}}.scv_source;
insert into {{reporting_schema}}.scv_source (source, priority, description) values
  ('crm_contacts', 1, 'CRM contacts, current and earlier versions from the type 2 history (dim_crm_contact_history)'),
  ('shop_customers', 2, 'Shop customers ({{raw_schema}}.shop_customers), latest row per customer_id'),
  ('event_registrations', 3, 'Event registrations ({{raw_schema}}.event_registrations), latest row per registration_id'),
  ('eventbrite', 4, 'Eventbrite attendees ({{stage_schema}}.eventbrite)'),
  ('txma', 5, 'GOV.UK One Login users from the TxMA stage tables, one row per user_id and email address seen'),
  ('smartsurvey', 6, 'SmartSurvey responses ({{stage_schema}}.smartsurvey), one record per survey response'),
  ('timetable_staff', 7, 'Staff of both campus timetable databases, current rows of dim_timetable_staff_history');

delete from {{reporting_schema}}.scv_match_rule;
insert into {{reporting_schema}}.scv_match_rule
  (source, key_name, normaliser, priority, ambiguous_if_first_names_differ)
values
  ('crm_contacts', 'email', 'email', 1, true),
  ('shop_customers', 'email', 'email', 1, true),
  ('event_registrations', 'email', 'email', 1, true),
  ('eventbrite', 'email', 'email', 1, true),
  ('txma', 'email', 'email', 1, true),
  ('timetable_staff', 'email', 'email', 1, true),
  ('crm_contacts', 'phone', 'phone', 2, true),
  ('shop_customers', 'phone', 'phone', 2, true);
