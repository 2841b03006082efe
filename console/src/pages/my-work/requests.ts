// My work's first request, without the page's code, so app/early-start.ts asks for exactly what the
// page will (the page pages by the same size).

/** Tasks per page of My work. */
export const MY_WORK_PAGE = 50;

/** The first page of the signed-in person's tasks, for those who work tasks. */
export const myWorkRequests = (_search: URLSearchParams, can: (permission: string) => boolean): string[] =>
  can('tasks:work') ? [`/api/v1/me/tasks?limit=${MY_WORK_PAGE}`] : [];
