import { COLLECTIONS_NOTICE_TEMPLATES } from './collections-notice-templates.js';
import { CREDIT_NOTICE_TEMPLATES } from './credit-notice-templates.js';
import { LETTER_TEMPLATES } from '../letters/letter-templates.js';
import { email, sms, type TemplateSource } from './template-source.js';

/**
 * The templates finflow ships, in the three languages its users write in. A row in
 * `message_templates` with the same channel, name and locale replaces one (PUT
 * /channels/templates/…), so operations staff change wording without a deploy.
 *
 * Variables every template gets: `customer` (name, externalId, email, phone, language), `locale`,
 * and whatever the step passes in `data` (here: amount in minor units, currency, dueDate, reference,
 * dpd). Filters: `money: currency` formats minor units in the message's locale, `localdate` a date.
 */

export const DEFAULT_TEMPLATES: TemplateSource[] = [
  email(
    'payment_reminder',
    'en',
    'Reminder: {{ amount | money: currency }} due on {{ dueDate | localdate }}',
    `<p>Dear {{ customer.name }},</p>
<p>This is a friendly reminder that <strong>{{ amount | money: currency }}</strong> for {{ reference }} is due on
<strong>{{ dueDate | localdate }}</strong>.</p>
<p>If you have already paid, please ignore this message.</p>`,
  ),
  email(
    'payment_reminder',
    'es',
    'Recordatorio: {{ amount | money: currency }} vence el {{ dueDate | localdate }}',
    `<p>Estimado/a {{ customer.name }}:</p>
<p>Le recordamos que el importe de <strong>{{ amount | money: currency }}</strong> correspondiente a {{ reference }}
vence el <strong>{{ dueDate | localdate }}</strong>.</p>
<p>Si ya ha realizado el pago, puede ignorar este mensaje.</p>`,
  ),
  email(
    'payment_reminder',
    'zh-CN',
    '付款提醒：{{ amount | money: currency }} 将于 {{ dueDate | localdate }} 到期',
    `<p>尊敬的 {{ customer.name }}：</p>
<p>温馨提示：{{ reference }} 的应付金额 <strong>{{ amount | money: currency }}</strong> 将于
<strong>{{ dueDate | localdate }}</strong> 到期。</p>
<p>如您已付款，请忽略本邮件。</p>`,
  ),
  email(
    'payment_overdue',
    'en',
    'Overdue: {{ amount | money: currency }} for {{ reference }}',
    `<p>Dear {{ customer.name }},</p>
<p>Our records show that <strong>{{ amount | money: currency }}</strong> for {{ reference }} is
<strong>{{ dpd }} days past due</strong>. Please pay as soon as possible or contact us to agree a plan.</p>`,
  ),
  email(
    'payment_overdue',
    'es',
    'Pago vencido: {{ amount | money: currency }} de {{ reference }}',
    `<p>Estimado/a {{ customer.name }}:</p>
<p>Según nuestros registros, el importe de <strong>{{ amount | money: currency }}</strong> de {{ reference }}
lleva <strong>{{ dpd }} días vencido</strong>. Le rogamos que lo abone cuanto antes o que se ponga en contacto con
nosotros para acordar un plan de pagos.</p>`,
  ),
  email(
    'payment_overdue',
    'zh-CN',
    '逾期通知：{{ reference }} 欠款 {{ amount | money: currency }}',
    `<p>尊敬的 {{ customer.name }}：</p>
<p>我们的记录显示，{{ reference }} 的欠款 <strong>{{ amount | money: currency }}</strong> 已逾期
<strong>{{ dpd }} 天</strong>。请尽快付款，或与我们联系商定还款计划。</p>`,
  ),
  email(
    'payment_received',
    'en',
    'Payment received: {{ amount | money: currency }}',
    `<p>Dear {{ customer.name }},</p><p>Thank you: we received {{ amount | money: currency }} for {{ reference }}.</p>`,
  ),
  email(
    'payment_received',
    'es',
    'Pago recibido: {{ amount | money: currency }}',
    `<p>Estimado/a {{ customer.name }}:</p><p>Gracias: hemos recibido {{ amount | money: currency }} para {{ reference }}.</p>`,
  ),
  email(
    'payment_received',
    'zh-CN',
    '已收到付款：{{ amount | money: currency }}',
    `<p>尊敬的 {{ customer.name }}：</p><p>感谢您：我们已收到 {{ reference }} 的付款 {{ amount | money: currency }}。</p>`,
  ),
  sms(
    'payment_reminder',
    'en',
    'Reminder: {{ amount | money: currency }} for {{ reference }} is due on {{ dueDate | localdate }}.',
  ),
  sms(
    'payment_reminder',
    'es',
    'Recordatorio: {{ amount | money: currency }} de {{ reference }} vence el {{ dueDate | localdate }}.',
  ),
  sms(
    'payment_reminder',
    'zh-CN',
    '提醒：{{ reference }} 应付 {{ amount | money: currency }}，到期日 {{ dueDate | localdate }}。',
  ),
  sms(
    'payment_overdue',
    'en',
    '{{ customer.name }}, {{ amount | money: currency }} for {{ reference }} is {{ dpd }} days overdue. Please pay or call us.',
  ),
  sms(
    'payment_overdue',
    'es',
    '{{ customer.name }}, {{ amount | money: currency }} de {{ reference }} lleva {{ dpd }} dias vencido. Pague o llamenos.',
  ),
  sms(
    'payment_overdue',
    'zh-CN',
    '{{ customer.name }}，{{ reference }} 欠款 {{ amount | money: currency }} 已逾期 {{ dpd }} 天，请尽快付款。',
  ),
  ...CREDIT_NOTICE_TEMPLATES,
  ...COLLECTIONS_NOTICE_TEMPLATES,
  ...LETTER_TEMPLATES,
];
