-- Match rules name a normaliser the consolidation procedure knows (email, phone) instead of carrying SQL that the
-- procedure pasted into dynamic SQL: nothing in a rule reaches SQL as text. The rules are seeded again by
-- procedures/scv_match_rules.sql.
delete from {{reporting_schema}}.scv_match_rule;
alter table {{reporting_schema}}.scv_match_rule drop column key_expression;
alter table {{reporting_schema}}.scv_match_rule add column normaliser varchar(32) not null default 'email';
