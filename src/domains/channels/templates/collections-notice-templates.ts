import { email, type TemplateSource } from './template-source.js';

/**
 * Collection strategy letters by email (data from src/domains/collections/dunning/next-move.ts: amount overdue,
 * outstanding, currency, reference, dpd, dueDate, deadline): a firm reminder, and the final notice
 * before the account is escalated.
 */
export const COLLECTIONS_NOTICE_TEMPLATES: TemplateSource[] = [
  email(
    'collections_firm_reminder',
    'en',
    'Second reminder: {{ amount | money: currency }} for {{ reference }} is {{ dpd }} days overdue',
    `<p>Dear {{ customer.name }},</p>
<p>Despite our earlier reminder, <strong>{{ amount | money: currency }}</strong> for {{ reference }} has been unpaid
since {{ dueDate | localdate }} ({{ dpd }} days). Please pay it now, or contact us today if you cannot, so that we can
agree a plan with you.</p>`,
  ),
  email(
    'collections_firm_reminder',
    'es',
    'Segundo aviso: {{ amount | money: currency }} de {{ reference }} lleva {{ dpd }} días vencido',
    `<p>Estimado/a {{ customer.name }}:</p>
<p>Pese a nuestro aviso anterior, el importe de <strong>{{ amount | money: currency }}</strong> de {{ reference }}
sigue pendiente desde el {{ dueDate | localdate }} ({{ dpd }} días). Le rogamos que lo abone ahora o que nos llame hoy
si no puede hacerlo, para acordar un plan con usted.</p>`,
  ),
  email(
    'collections_firm_reminder',
    'zh-CN',
    '第二次提醒：{{ reference }} 欠款 {{ amount | money: currency }} 已逾期 {{ dpd }} 天',
    `<p>尊敬的 {{ customer.name }}：</p>
<p>尽管我们此前已提醒您，{{ reference }} 的欠款 <strong>{{ amount | money: currency }}</strong> 自
{{ dueDate | localdate }} 起仍未支付（已逾期 {{ dpd }} 天）。请立即付款；如无法付款，请于今日与我们联系，以便商定还款计划。</p>`,
  ),
  email(
    'collections_final_notice',
    'en',
    'Final notice: {{ amount | money: currency }} for {{ reference }}',
    `<p>Dear {{ customer.name }},</p>
<p>This is our <strong>final notice</strong>. <strong>{{ amount | money: currency }}</strong> for {{ reference }} is
{{ dpd }} days overdue. Unless it is paid by <strong>{{ deadline | localdate }}</strong>, we will charge the fees our
terms provide for and pass the account to further collection.</p>
<p>If you are in financial difficulty, contact us before that date: we can help.</p>`,
  ),
  email(
    'collections_final_notice',
    'es',
    'Último aviso: {{ amount | money: currency }} de {{ reference }}',
    `<p>Estimado/a {{ customer.name }}:</p>
<p>Este es nuestro <strong>último aviso</strong>. El importe de <strong>{{ amount | money: currency }}</strong> de
{{ reference }} lleva {{ dpd }} días vencido. Si no se abona antes del <strong>{{ deadline | localdate }}</strong>,
aplicaremos los cargos previstos en el contrato y la cuenta pasará a gestión de recobro.</p>
<p>Si atraviesa dificultades económicas, póngase en contacto con nosotros antes de esa fecha: podemos ayudarle.</p>`,
  ),
  email(
    'collections_final_notice',
    'zh-CN',
    '最终通知：{{ reference }} 欠款 {{ amount | money: currency }}',
    `<p>尊敬的 {{ customer.name }}：</p>
<p>这是我们的<strong>最终通知</strong>。{{ reference }} 的欠款 <strong>{{ amount | money: currency }}</strong>
已逾期 {{ dpd }} 天。如在 <strong>{{ deadline | localdate }}</strong> 前仍未付款，我们将按合同收取相关费用，并将账户转交进一步催收。</p>
<p>如您遇到经济困难，请在该日期前与我们联系，我们可以提供帮助。</p>`,
  ),
];
