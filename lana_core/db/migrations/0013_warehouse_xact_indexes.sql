-- The extract-load reads each table from its bookmark: WHERE xact_id >= $1 AND xact_id < the
-- oldest running transaction. Without an index that is a scan of the whole table on every run
-- (0.2-0.4 s per table at a million rows, growing with the bank). The append-only ledger tables
-- are written in xact_id order, so a BRIN index (a few pages, next to nothing per insert) finds
-- the new rows' blocks; core.events, core.entity_versions and price.prices have B-tree ones.
CREATE INDEX entries_xact_brin ON ledger.entries USING brin (xact_id);
CREATE INDEX balance_history_xact_brin ON ledger.balance_history USING brin (xact_id);
CREATE INDEX transactions_xact_brin ON ledger.transactions USING brin (xact_id);
