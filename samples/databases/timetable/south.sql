-- The "south" timetable database: staff overlap with north by e-mail (Alan Turing, Marie Curie), ids differ.
INSERT INTO departments VALUES
  (10, 'Computing', '2026-10-20 12:00:00+00'),
  (11, 'Chemistry', '2026-10-20 12:00:00+00');
INSERT INTO staff VALUES
  (7, 'alan.turing@example.org', 'Alan M. Turing', 10, 55000.00, '2026-10-21 09:00:00+00'),
  (8, 'marie.curie@example.org', 'Marie Skłodowska-Curie', 11, 61000.00, '2026-10-22 09:00:00+00'),
  (9, 'grace.hopper@example.org', 'Grace Hopper', 10, 58999.99, '2026-10-23 14:00:00+00');
INSERT INTO rooms VALUES
  ('south', 'C1', 10, 40),
  ('south', 'L2', 11, 16);
