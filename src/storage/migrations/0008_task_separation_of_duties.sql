-- Separation of duties on human tasks (four eyes): the users who may not claim or complete a task —
-- the maker of a payment, the officer who prepared a credit application, the first of two approvers.
-- Rendered from the task step's `excludeUsers` when the task is created.
ALTER TABLE wf_tasks ADD COLUMN excluded_users jsonb NOT NULL DEFAULT '[]';
