-- How finflow reaches each bank account's bank (SFTP or HTTP; none: the bank-outbox folder). The
-- connector settings with secrets named, never stored: a private key or token is a reference
-- {"secret": "NAME"} resolved from finflow's secrets at use. See docs/bank-connectors.md.
ALTER TABLE bank_accounts ADD COLUMN connection jsonb;
