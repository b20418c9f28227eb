-- The shape both timetable databases share; loaded before each instance's own rows (<source_id>.sql).
CREATE TABLE departments (
  department_id integer PRIMARY KEY,
  name text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE staff (
  staff_id integer PRIMARY KEY,
  email text,
  full_name text NOT NULL,
  department_id integer,
  salary numeric(10, 2),
  updated_at timestamptz NOT NULL
);
CREATE TABLE rooms (
  site text NOT NULL,
  room_code text NOT NULL,
  department_id integer,
  capacity integer,
  PRIMARY KEY (site, room_code)
);
