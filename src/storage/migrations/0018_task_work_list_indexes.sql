-- My work (GET /me/tasks) pages a person's open tasks due first, those without a due time last, with
-- a keyset cursor over (due_at, id). The list has two halves — the tasks assigned to the person, and
-- the unassigned ones of their queues — so each half gets an index in the list's order (a btree's
-- ascending order puts NULL due times last), and a page reads its rows in order instead of sorting
-- every open task of the person on each page.
CREATE INDEX wf_tasks_assignee_due_idx ON wf_tasks (assignee, due_at, id) WHERE status = 'open' AND assignee IS NOT NULL;
CREATE INDEX wf_tasks_queue_due_idx ON wf_tasks (queue, due_at, id) WHERE status = 'open' AND assignee IS NULL;
