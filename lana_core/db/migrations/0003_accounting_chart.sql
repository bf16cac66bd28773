-- The chart of accounts: each node is a ledger account set; this schema records the chart's
-- structure and how its top-level nodes map to the statement categories.

CREATE SCHEMA accounting;

CREATE TABLE accounting.charts (
    id                           uuid PRIMARY KEY,
    code                         text NOT NULL UNIQUE,
    name                         text NOT NULL,
    journal_id                   uuid NOT NULL UNIQUE REFERENCES ledger.journals (id),
    -- Top-level codes of the statement categories; any other top-level node is off-balance.
    assets_code                  text NOT NULL,
    liabilities_code             text NOT NULL,
    equity_code                  text NOT NULL,
    revenue_code                 text NOT NULL,
    cost_of_revenue_code         text NOT NULL,
    expenses_code                text NOT NULL,
    -- Where the year-end closing books a profit, and a loss (nodes under equity).
    retained_earnings_gain_code  text NOT NULL,
    retained_earnings_loss_code  text NOT NULL,
    created_at                   timestamptz NOT NULL,
    version                      integer NOT NULL DEFAULT 1,
    xact_id                      bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE TRIGGER charts_touch BEFORE UPDATE ON accounting.charts
    FOR EACH ROW EXECUTE FUNCTION lana_touch_version();

-- Nodes are only ever added: the structure is append-only, like the membership it mirrors.
CREATE TABLE accounting.chart_nodes (
    chart_id        uuid NOT NULL REFERENCES accounting.charts (id),
    code            text NOT NULL,
    parent_code     text,
    name            text NOT NULL,
    normal_balance  text NOT NULL CHECK (normal_balance IN ('debit', 'credit')),
    -- 0 for top-level nodes.
    depth           integer NOT NULL,
    -- Position in the chart as imported: statements list nodes in this order.
    position        integer NOT NULL,
    account_set_id  uuid NOT NULL UNIQUE REFERENCES ledger.account_sets (id),
    created_at      timestamptz NOT NULL,
    xact_id         bigint NOT NULL DEFAULT lana_current_xact_id(),
    PRIMARY KEY (chart_id, code),
    FOREIGN KEY (chart_id, parent_code) REFERENCES accounting.chart_nodes (chart_id, code)
);
CREATE TRIGGER chart_nodes_append_only BEFORE UPDATE OR DELETE ON accounting.chart_nodes
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
