-- The simulation run into this database by `lana simulate`, if any: what it is (seed, number
-- of customers, first day) and how far it has gone, so that a later run can continue it.
CREATE SCHEMA simulation;

CREATE TABLE simulation.runs (
    id                 int PRIMARY KEY CHECK (id = 1),  -- one simulated bank per database
    seed               bigint NOT NULL,
    customers          int NOT NULL CHECK (customers > 0),
    start_date         date NOT NULL,
    simulated_through  date,                            -- the last day whose end of day ran
    day_in_progress    date,                            -- set while a day runs: a crash leaves it set
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
