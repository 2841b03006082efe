// Import a statement file by hand (camt.052/053/054 or MT940): the file goes as it is to
// POST /statements, which recognises the format and the account from the content. The answer says
// what changed — entries added, those already imported, what reconciliation matched — and each
// statement's entries are shown below it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Card, Typography, Upload } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { useFormat } from '../../i18n/format';
import { DetailsCard, L, h2, statementPath, useBankAccounts } from './shared';
import { StatementEntries } from './statement-pages';

type Answer = components['schemas']['StatementImport'];
type Imported = components['schemas']['ImportedStatement'];

/** ISO 20022 is XML; anything else is sent as text (MT940). The server recognises the format itself. */
const contentType = (text: string) =>
  text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('<')
    ? 'application/xml'
    : 'text/plain';

export function StatementUpload() {
  const { t } = useTranslation('payments-work');
  const client = useQueryClient();
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const text = await file.text();
      const type = contentType(text);
      return unwrap(
        api.POST('/statements', {
          body: text,
          bodySerializer: (body: string) => body,
          headers: { 'content-type': type },
        }),
      );
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['payments'] });
    },
  });
  return (
    <Card title={h2(t('upload.title'))} style={{ marginBottom: 16 }}>
      <Upload.Dragger
        accept=".xml,.txt,.sta,.940,.mt940"
        multiple={false}
        showUploadList={false}
        disabled={upload.isPending}
        beforeUpload={(file) => {
          upload.mutate(file);
          return Upload.LIST_IGNORE;
        }}
      >
        <Typography.Paragraph style={{ margin: 0 }}>
          {upload.isPending ? t('upload.reading', { name: upload.variables.name }) : t('upload.drop')}
        </Typography.Paragraph>
        <Typography.Text type="secondary">{t('upload.formats')}</Typography.Text>
      </Upload.Dragger>
      <div style={{ marginTop: 16 }}>
        <ErrorAlert error={upload.error} />
        {upload.data && <UploadResult answer={upload.data} file={upload.variables?.name ?? ''} />}
      </div>
    </Card>
  );
}

function UploadResult({ answer, file }: { answer: Answer; file: string }) {
  const { t } = useTranslation('payments-work');
  const fmt = useFormat();
  const r = answer.reconciliation;
  const present = answer.entries - answer.newEntries;
  return (
    <section aria-label={t('upload.result')}>
      <Alert
        type={answer.newEntries > 0 ? 'success' : 'info'}
        showIcon
        style={{ marginBottom: 16 }}
        message={t('upload.summary', { file, added: fmt.number(answer.newEntries), present: fmt.number(present) })}
        description={
          <>
            {r && (
              <div>
                {t('upload.matching', {
                  matched: fmt.number(r.matched),
                  partly: fmt.number(r.partlyMatched),
                  exceptions: fmt.number(r.exceptions),
                })}
              </div>
            )}
            {answer.reconciliationError && (
              <div>{t('upload.matchingFailed', { error: answer.reconciliationError })}</div>
            )}
          </>
        }
      />
      {answer.statements.map((s) => (
        <ImportedStatement key={s.id} s={s} />
      ))}
    </section>
  );
}

function ImportedStatement({ s }: { s: Imported }) {
  const { t } = useTranslation('payments-work');
  const fmt = useFormat();
  const accounts = useBankAccounts();
  const currency = accounts.byId.get(s.bankAccountId)?.currency;
  const name = s.statementId ?? s.id;
  return (
    <DetailsCard
      title={t('upload.statement', { id: name })}
      items={[
        { key: 'account', label: t('upload.account'), children: accounts.name(s.bankAccountId) },
        { key: 'format', label: t('upload.format'), children: s.version ?? s.format },
        { key: 'added', label: t('upload.added'), children: <strong>{fmt.number(s.newEntries)}</strong> },
        { key: 'present', label: t('upload.present'), children: fmt.number(s.entries - s.newEntries) },
        { key: 'unbooked', label: t('upload.unbooked'), children: fmt.number(s.unbookedEntries) },
        {
          key: 'closing',
          label: t('upload.closing'),
          children: currency ? fmt.money(s.closingBalance, currency) : (s.closingBalance ?? '—'),
        },
        {
          key: 'open',
          label: t('upload.open'),
          children: <L to={statementPath(s.id)}>{s.id}</L>,
        },
      ]}
    >
      {s.alreadyImportedAs && <Typography.Paragraph>{t('upload.already')}</Typography.Paragraph>}
      {s.warnings.map((w) => (
        <Typography.Paragraph key={w} type="warning">
          {w}
        </Typography.Paragraph>
      ))}
      <div style={{ marginTop: 16 }}>
        <StatementEntries statementId={s.id} label={t('upload.entriesOf', { id: name })} />
      </div>
    </DetailsCard>
  );
}
