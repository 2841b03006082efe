import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/**
 * A failed request as a person reads it: the server's message, its code and every field it names.
 * A refusal (4xx: a rule said no — four eyes, a state, a field) is titled as one; "something went
 * wrong" is for what nobody asked for (5xx, the network).
 */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const description =
    error instanceof ApiError ? (
      <>
        <div>{error.message}</div>
        {error.fields.length > 0 && (
          <ul>
            {error.fields.map((f) => (
              <li key={f.field}>
                <code>{f.field}</code>: {f.message}
              </li>
            ))}
          </ul>
        )}
        <small>
          <code>{error.code}</code>
        </small>
      </>
    ) : error instanceof Error ? (
      error.message
    ) : (
      JSON.stringify(error)
    );
  const refused = error instanceof ApiError && error.status >= 400 && error.status < 500;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={t(refused ? 'states.refused' : 'states.error')}
      description={description}
    />
  );
}
