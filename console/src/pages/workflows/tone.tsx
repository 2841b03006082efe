// Tags and links in colours that meet WCAG AA contrast (antd's preset tag colours and its default
// link blue fall short on a light background).
import { Button, Tag } from 'antd';
import type { CSSProperties, ReactNode } from 'react';

export type Tone = 'blue' | 'green' | 'red' | 'orange' | 'grey' | 'purple';

const TONES: Record<Tone, CSSProperties> = {
  blue: { color: '#0b5cad', background: '#e6f4ff', borderColor: '#91caff' },
  green: { color: '#2b6a0b', background: '#f0f9eb', borderColor: '#b7eb8f' },
  red: { color: '#b42318', background: '#fdecea', borderColor: '#f5b5ad' },
  orange: { color: '#874d00', background: '#fff7e6', borderColor: '#ffd591' },
  grey: { color: '#434343', background: '#fafafa', borderColor: '#d9d9d9' },
  purple: { color: '#531dab', background: '#f9f0ff', borderColor: '#d3adf7' },
};

export function ToneTag({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <Tag style={TONES[tone]}>{children}</Tag>;
}

/** Style for react-router Links: the theme's primary blue, which passes contrast on white and on a highlighted row. */
export const LINK: CSSProperties = { color: '#0b5cad' };

/** An expand/collapse control for antd tables that says what it does (antd's own icon has no name). */
export function expandIcon(labels: { expand: string; collapse: string }) {
  return function ExpandIcon<T>({
    expanded,
    onExpand,
    record,
    expandable,
  }: {
    expanded: boolean;
    onExpand: (record: T, e: React.MouseEvent<HTMLElement>) => void;
    record: T;
    expandable: boolean;
  }) {
    if (!expandable) return null;
    return (
      <Button
        size="small"
        type="text"
        aria-expanded={expanded}
        aria-label={expanded ? labels.collapse : labels.expand}
        onClick={(e) => onExpand(record, e)}
      >
        {expanded ? '−' : '+'}
      </Button>
    );
  };
}
