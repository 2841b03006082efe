// A list a person can work without the mouse: ↑/↓ (or j/k) move the highlighted row, Enter opens
// it, and any single-key shortcuts the page passes act on the highlighted row. The table itself is
// antd's; this adds the keys, the highlight and the accessible row focus.
import { Table, type TableProps } from 'antd';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface KeyTableProps<T> extends Omit<TableProps<T>, 'rowKey'> {
  rowKey: (row: T) => string;
  onOpen?: (row: T) => void;
  /** Single-key actions on the highlighted row, e.g. { c: claim }. */
  shortcuts?: Record<string, (row: T) => void>;
  /** The accessible name of the list. */
  label: string;
}

export function KeyTable<T extends object>({
  rowKey,
  onOpen,
  shortcuts,
  label,
  dataSource,
  ...rest
}: KeyTableProps<T>) {
  const rows = dataSource ?? [];
  const [active, setActive] = useState(0);
  const wrapper = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (active >= rows.length) setActive(Math.max(0, rows.length - 1));
  }, [rows.length, active]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (target !== wrapper.current && ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(target.tagName)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const row = rows[active];
    if (event.key === 'ArrowDown' || event.key === 'j') {
      setActive((i) => Math.min(rows.length - 1, i + 1));
    } else if (event.key === 'ArrowUp' || event.key === 'k') {
      setActive((i) => Math.max(0, i - 1));
    } else if (event.key === 'Enter' && row && onOpen) {
      onOpen(row);
    } else if (row && shortcuts?.[event.key]) {
      shortcuts[event.key](row);
    } else {
      return;
    }
    event.preventDefault();
  };

  useEffect(() => {
    wrapper.current?.querySelector('tr.ff-row-active')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const activeKey = rows[active] ? rowKey(rows[active]) : undefined;
  return (
    <div
      ref={wrapper}
      tabIndex={0}
      role="group"
      aria-label={label}
      aria-activedescendant={activeKey ? `row-${activeKey}` : undefined}
      onKeyDown={onKeyDown}
      className="ff-key-table"
    >
      <Table<T>
        size="small"
        pagination={false}
        {...rest}
        dataSource={dataSource}
        rowKey={rowKey}
        rowClassName={(row) => (rowKey(row) === activeKey ? 'ff-row-active' : '')}
        onRow={(row, index) => ({
          id: `row-${rowKey(row)}`,
          onClick: () => setActive(index ?? 0),
          onDoubleClick: () => onOpen?.(row),
          style: onOpen ? { cursor: 'pointer' } : undefined,
        })}
      />
    </div>
  );
}
