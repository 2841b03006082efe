import { statSync } from 'node:fs';
import { AppError } from '../../../core/errors.js';

/**
 * The file's size and time when it was checked: the import reads the file a second time, and stops
 * if it changed in between (the rows it syncs would not be the rows that were checked).
 */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export function stamp(file: string): FileStamp {
  try {
    const { size, mtimeMs } = statSync(file);
    return { size, mtimeMs };
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

export function assertUnchanged(file: string, before: FileStamp): void {
  const now = stamp(file);
  if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) throw fileChanged(file, 'its size or time changed');
}

export const fileChanged = (file: string, why: string): AppError =>
  new AppError('file_changed', 409, `${file} changed while it was being imported (${why}); run the import again`);
