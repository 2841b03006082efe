// The expand button of a table row, with an accessible name (antd's own has none in some locales).
import { Button } from 'antd';
import type { MouseEvent } from 'react';

export function expandIcon<T>(label: (row: T, expanded: boolean) => string) {
  return function ExpandIcon({
    expanded,
    onExpand,
    record,
  }: {
    expanded: boolean;
    onExpand: (record: T, e: MouseEvent<HTMLElement>) => void;
    record: T;
  }) {
    return (
      <Button
        type="text"
        size="small"
        aria-expanded={expanded}
        aria-label={label(record, expanded)}
        onClick={(e) => {
          e.stopPropagation();
          onExpand(record, e);
        }}
      >
        <span aria-hidden>{expanded ? '▾' : '▸'}</span>
      </Button>
    );
  };
}
