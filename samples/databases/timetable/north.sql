-- The "north" timetable database: a sample source for config/sources/databases/timetable.json.
INSERT INTO departments VALUES
  (1, 'Mathematics', '2026-11-01 09:00:00+00'),
  (2, 'Physics', '2026-11-01 09:00:00+00'),
  (3, 'History', '2026-11-02 10:30:00+00');
INSERT INTO staff VALUES
  (101, 'ada.lovelace@example.org', 'Ada Lovelace', 1, 52000.00, '2026-11-01 09:00:00+00'),
  (102, 'Alan.Turing@example.org', 'Alan Turing', 1, 51000.50, '2026-11-01 09:00:00+00'),
  (103, 'marie.curie@example.org', 'Marie Curie', 2, 60500.00, '2026-11-03 08:15:00+00'),
  (104, 'mary.beard@example.org', 'Mary Beard', 3, 48250.25, '2026-11-04 16:45:00+00');
INSERT INTO rooms VALUES
  ('main', 'M101', 1, 30),
  ('main', 'M102', 1, 24),
  ('main', 'P001', 2, 60),
  ('annex', 'H010', 3, 18),
  ('annex', 'H011', NULL, 12);
