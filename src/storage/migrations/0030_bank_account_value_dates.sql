-- Value dates by the bank's own calendar: a bank account names the engine business calendar its bank
-- keeps (weekend days and bank holidays) and the cut-off time after which the bank no longer
-- executes for that day. See docs/payments.md (Value dates and bank holidays).

-- An engine business calendar (wf_calendars.name); null: Monday to Friday, no holidays.
ALTER TABLE bank_accounts ADD COLUMN calendar text;
-- 'HH:MM' in the calendar's time zone (UTC without a calendar); null: no cut-off.
ALTER TABLE bank_accounts ADD COLUMN cut_off_time text CHECK (cut_off_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');
