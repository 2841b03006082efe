// A list read page by page from the server with `after` cursors (the API's `{ data, next }` pages):
// the rows loaded so far, and a "Load more" button while there is a next page. Every paged list of
// the console uses these, so none of them fetches a whole table.
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';

export function usePaged<T>(
  key: unknown[],
  load: (after: string | undefined) => Promise<{ data: T[]; next: string | null }>,
  options: { enabled?: boolean; refetchInterval?: number } = {},
) {
  const query = useInfiniteQuery({
    queryKey: key,
    enabled: options.enabled ?? true,
    refetchInterval: options.refetchInterval,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => load(pageParam),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  return { query, rows };
}

export function LoadMore({
  query,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  const { t } = useTranslation();
  if (!query.hasNextPage) return null;
  return (
    <Button style={{ marginTop: 8 }} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
      {t('actions.more')}
    </Button>
  );
}
