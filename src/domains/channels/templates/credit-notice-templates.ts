import { email, type TemplateSource } from './template-source.js';

/**
 * Credit decision notices (data from src/domains/credit/notices.ts): approval with the contract's terms, the
 * adverse-action notice listing the principal reasons, and a counter-offer to accept or refuse.
 */
const reasonsList = `<ul>{% for reason in reasons %}<li>{{ reason }}</li>{% endfor %}</ul>`;

export const CREDIT_NOTICE_TEMPLATES: TemplateSource[] = [
  email(
    'credit_approved',
    'en',
    'Your application {{ reference }} is approved',
    `<p>Dear {{ customer.name }},</p>
<p>We are pleased to tell you that your application {{ reference }} is approved.</p>
{% if creditLimit %}<p>Your credit line: <strong>{{ amount | money: currency }}</strong>.</p>{% else %}
<p><strong>{{ amount | money: currency }}</strong> over {{ termMonths }} months at {{ ratePercent }}% a year:
{{ termMonths }} monthly installments of about <strong>{{ installment | money: currency }}</strong>, the first due on
{{ firstDueDate | localdate }}.</p>{% endif %}`,
  ),
  email(
    'credit_approved',
    'es',
    'Su solicitud {{ reference }} ha sido aprobada',
    `<p>Estimado/a {{ customer.name }}:</p>
<p>Nos complace comunicarle que su solicitud {{ reference }} ha sido aprobada.</p>
{% if creditLimit %}<p>Su línea de crédito: <strong>{{ amount | money: currency }}</strong>.</p>{% else %}
<p><strong>{{ amount | money: currency }}</strong> a {{ termMonths }} meses al {{ ratePercent | replace: '.', ',' }} % anual:
{{ termMonths }} cuotas mensuales de unos <strong>{{ installment | money: currency }}</strong>; la primera vence el
{{ firstDueDate | localdate }}.</p>{% endif %}`,
  ),
  email(
    'credit_approved',
    'zh-CN',
    '您的申请 {{ reference }} 已获批准',
    `<p>尊敬的 {{ customer.name }}：</p>
<p>我们很高兴地通知您，您的申请 {{ reference }} 已获批准。</p>
{% if creditLimit %}<p>您的授信额度：<strong>{{ amount | money: currency }}</strong>。</p>{% else %}
<p>金额 <strong>{{ amount | money: currency }}</strong>，期限 {{ termMonths }} 个月，年利率 {{ ratePercent }}%，
每月还款约 <strong>{{ installment | money: currency }}</strong>，首期还款日为 {{ firstDueDate | localdate }}。</p>{% endif %}`,
  ),
  email(
    'credit_declined',
    'en',
    'Your application {{ reference }}',
    `<p>Dear {{ customer.name }},</p>
<p>Thank you for your application {{ reference }} for {{ requestedAmount | money: currency }}. We are unable to
approve it. The principal reasons are:</p>
${reasonsList}
<p>You have the right to know the information a credit bureau gave us and to dispute it with the bureau.</p>`,
  ),
  email(
    'credit_declined',
    'es',
    'Su solicitud {{ reference }}',
    `<p>Estimado/a {{ customer.name }}:</p>
<p>Gracias por su solicitud {{ reference }} de {{ requestedAmount | money: currency }}. No podemos aprobarla.
Los motivos principales son:</p>
${reasonsList}
<p>Tiene derecho a conocer la información que nos facilitó la agencia de crédito y a impugnarla ante ella.</p>`,
  ),
  email(
    'credit_declined',
    'zh-CN',
    '关于您的申请 {{ reference }}',
    `<p>尊敬的 {{ customer.name }}：</p>
<p>感谢您申请 {{ requestedAmount | money: currency }}（申请编号 {{ reference }}）。很遗憾，我们无法批准该申请。主要原因如下：</p>
${reasonsList}
<p>您有权了解征信机构向我们提供的信息，并可向该机构提出异议。</p>`,
  ),
  email(
    'credit_counter_offer',
    'en',
    'An offer for your application {{ reference }}',
    `<p>Dear {{ customer.name }},</p>
<p>We cannot approve {{ requestedAmount | money: currency }} as requested, but we can offer
<strong>{{ offer.amount | money: currency }}</strong> over {{ offer.termMonths }} months at {{ offer.ratePercent }}% a
year. The offer is valid for 14 days.</p>`,
  ),
  email(
    'credit_counter_offer',
    'es',
    'Una oferta para su solicitud {{ reference }}',
    `<p>Estimado/a {{ customer.name }}:</p>
<p>No podemos aprobar {{ requestedAmount | money: currency }} como solicitó, pero podemos ofrecerle
<strong>{{ offer.amount | money: currency }}</strong> a {{ offer.termMonths }} meses al {{ offer.ratePercent | replace: '.', ',' }} %
anual. La oferta es válida durante 14 días.</p>`,
  ),
  email(
    'credit_counter_offer',
    'zh-CN',
    '关于您的申请 {{ reference }} 的报价',
    `<p>尊敬的 {{ customer.name }}：</p>
<p>我们无法按申请批准 {{ requestedAmount | money: currency }}，但可以为您提供
<strong>{{ offer.amount | money: currency }}</strong>，期限 {{ offer.termMonths }} 个月，年利率 {{ offer.ratePercent }}%。
该报价 14 天内有效。</p>`,
  ),
];
