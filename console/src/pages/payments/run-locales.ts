// The words of the payment runs tab (CSV upload, its problems, the runs and a run's page) in every
// language (namespace payments-runs, beside locales.ts's payments).
import { registerLocales } from '../../i18n/i18n';

const en = {
  tab: 'Payment runs',
  upload: {
    title: 'Upload a payment run',
    account: 'Debtor account',
    accountHelp: 'For lines without a bankAccountId',
    accountNone: 'Each line names its account',
    drop: 'Drop a CSV file here or click to choose one: every line becomes a payment, or none does',
    columns:
      'Columns: beneficiaryId, amount (major units, 1234.56), currency, bankAccountId, requestedExecutionDate, remittance, creditorReference, purpose, sourceRef',
    reading: 'Uploading {{name}}…',
    result: 'The run just created',
    created_one: '{{file}}: {{count}} payment created, pending approval',
    created_other: '{{file}}: {{count}} payments created, pending approval',
    open: 'Open the run',
  },
  problems: {
    label: 'Problems in the file',
    title_one: '{{file}}: {{count}} problem',
    title_other: '{{file}}: {{count}} problems',
    nothing: 'Nothing was created. Correct the file and upload it again.',
    line: 'Line',
    column: 'Column',
    value: 'Value',
    message: 'Problem',
  },
  list: { title: 'Payment runs', none: 'No payment runs yet' },
  run: {
    title: 'Payment run {{id}}',
    details: 'Run {{id}}',
    summary: 'The run and its payments',
    id: 'Run',
    createdAt: 'Uploaded',
    count: 'Payments',
    totals: 'Total',
    statuses: 'Statuses now',
    sha: 'File SHA-256',
    payments: 'Payments of {{id}}',
    line: 'Line',
    more: 'The first 1000 payments are shown.',
  },
};

const es: typeof en = {
  tab: 'Remesas de pago',
  upload: {
    title: 'Subir una remesa de pagos',
    account: 'Cuenta de cargo',
    accountHelp: 'Para las líneas sin bankAccountId',
    accountNone: 'Cada línea indica su cuenta',
    drop: 'Suelte aquí un archivo CSV o haga clic para elegirlo: cada línea se convierte en un pago, o ninguna',
    columns:
      'Columnas: beneficiaryId, amount (unidades, 1234.56), currency, bankAccountId, requestedExecutionDate, remittance, creditorReference, purpose, sourceRef',
    reading: 'Subiendo {{name}}…',
    result: 'La remesa recién creada',
    created_one: '{{file}}: {{count}} pago creado, pendiente de aprobación',
    created_other: '{{file}}: {{count}} pagos creados, pendientes de aprobación',
    open: 'Abrir la remesa',
  },
  problems: {
    label: 'Problemas del archivo',
    title_one: '{{file}}: {{count}} problema',
    title_other: '{{file}}: {{count}} problemas',
    nothing: 'No se ha creado nada. Corrija el archivo y vuelva a subirlo.',
    line: 'Línea',
    column: 'Columna',
    value: 'Valor',
    message: 'Problema',
  },
  list: { title: 'Remesas de pago', none: 'Todavía no hay remesas de pago' },
  run: {
    title: 'Remesa de pagos {{id}}',
    details: 'Remesa {{id}}',
    summary: 'La remesa y sus pagos',
    id: 'Remesa',
    createdAt: 'Subida',
    count: 'Pagos',
    totals: 'Total',
    statuses: 'Estados actuales',
    sha: 'SHA-256 del archivo',
    payments: 'Pagos de {{id}}',
    line: 'Línea',
    more: 'Se muestran los primeros 1000 pagos.',
  },
};

const zh: typeof en = {
  tab: '批量付款',
  upload: {
    title: '上传批量付款',
    account: '付款账户',
    accountHelp: '用于未填写 bankAccountId 的行',
    accountNone: '每行自带账户',
    drop: '将 CSV 文件拖到此处或点击选择：每一行都成为一笔付款，或全部不创建',
    columns:
      '列：beneficiaryId、amount（主单位，1234.56）、currency、bankAccountId、requestedExecutionDate、remittance、creditorReference、purpose、sourceRef',
    reading: '正在上传 {{name}}…',
    result: '刚创建的批量付款',
    created_one: '{{file}}：已创建 {{count}} 笔付款，待审批',
    created_other: '{{file}}：已创建 {{count}} 笔付款，待审批',
    open: '打开批量付款',
  },
  problems: {
    label: '文件中的问题',
    title_one: '{{file}}：{{count}} 个问题',
    title_other: '{{file}}：{{count}} 个问题',
    nothing: '未创建任何内容。请更正文件后重新上传。',
    line: '行',
    column: '列',
    value: '值',
    message: '问题',
  },
  list: { title: '批量付款', none: '尚无批量付款' },
  run: {
    title: '批量付款 {{id}}',
    details: '批次 {{id}}',
    summary: '批量付款及其付款',
    id: '批次',
    createdAt: '上传时间',
    count: '付款笔数',
    totals: '合计',
    statuses: '当前状态',
    sha: '文件 SHA-256',
    payments: '{{id}} 的付款',
    line: '行',
    more: '仅显示前 1000 笔付款。',
  },
};

registerLocales('payments-runs', { en, es, 'zh-CN': zh });
