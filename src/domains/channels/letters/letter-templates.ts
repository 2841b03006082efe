import type { TemplateSource } from '../templates/template-source.js';

/**
 * Letters finflow ships, rendered to PDF by letter.send. `subject` is the letter's heading; `body`
 * is Liquid giving plain text: paragraphs separated by a blank line, a newline breaks the line,
 * lines starting with `- ` make a bulleted list, `**…**` is bold (see pdf-render.ts). Variables are
 * those of every template (`customer`, `locale`, the step's `data`) and `institution`, the sender's
 * name.
 *
 * `collections_letter` is the formal arrears letter of a collection strategy's `letter` stage, with
 * the stage's data (src/domains/collections/dunning/next-move.ts): amount overdue, outstanding, currency,
 * reference, dpd, dueDate, deadline.
 */
export type LetterTemplateSource = Omit<TemplateSource, 'channel'> & { channel: 'letter' };

const letter = (name: string, locale: string, subject: string, body: string): LetterTemplateSource => ({
  channel: 'letter',
  name,
  locale,
  subject,
  body,
});

export const LETTER_TEMPLATES: LetterTemplateSource[] = [
  letter(
    'collections_letter',
    'en',
    'Notice of arrears: {{ amount | money: currency }} overdue on account {{ reference }}',
    `Dear {{ customer.name }},

Our records show that **{{ amount | money: currency }}** on your account {{ reference }} has been unpaid since {{ dueDate | localdate }}. The account is now {{ dpd }} days past due.{% if outstanding %} The total outstanding balance of the account is {{ outstanding | money: currency }}.{% endif %}

Please pay the overdue amount{% if deadline %} by **{{ deadline | localdate }}**{% else %} without delay{% endif %}. You can:

- pay online or by bank transfer, quoting the reference {{ reference }};
- call us to agree a payment plan if you cannot pay the full amount now;
- tell us at once if you have already paid, so that we can update our records.

If the amount remains unpaid{% if deadline %} after {{ deadline | localdate }}{% endif %}, we may charge the fees your agreement provides for and take further steps to recover the debt, which may affect your credit record.

If you are in financial difficulty, please contact us as soon as possible: we will work with you to find a solution.

Yours sincerely,
{{ institution }}`,
  ),
  letter(
    'collections_letter',
    'es',
    'Requerimiento de pago: {{ amount | money: currency }} vencidos en la cuenta {{ reference }}',
    `Estimado/a {{ customer.name }}:

Según nuestros registros, el importe de **{{ amount | money: currency }}** de su cuenta {{ reference }} está pendiente de pago desde el {{ dueDate | localdate }}. La cuenta acumula {{ dpd }} días de retraso.{% if outstanding %} El saldo total pendiente de la cuenta asciende a {{ outstanding | money: currency }}.{% endif %}

Le rogamos que abone el importe vencido{% if deadline %} antes del **{{ deadline | localdate }}**{% else %} sin demora{% endif %}. Puede:

- pagar en línea o por transferencia bancaria, indicando la referencia {{ reference }};
- llamarnos para acordar un plan de pagos si ahora no puede abonar el importe completo;
- comunicarnos de inmediato si ya ha realizado el pago, para que actualicemos nuestros registros.

Si el importe sigue sin abonarse{% if deadline %} después del {{ deadline | localdate }}{% endif %}, podremos aplicar los cargos previstos en su contrato e iniciar otras acciones para el recobro de la deuda, lo que puede afectar a su historial crediticio.

Si atraviesa dificultades económicas, póngase en contacto con nosotros cuanto antes: buscaremos una solución con usted.

Atentamente,
{{ institution }}`,
  ),
  letter(
    'collections_letter',
    'zh-CN',
    '欠款催收函：账户 {{ reference }} 逾期欠款 {{ amount | money: currency }}',
    `尊敬的 {{ customer.name }}：

根据我们的记录，您账户 {{ reference }} 的欠款 **{{ amount | money: currency }}** 自 {{ dueDate | localdate }} 起仍未支付，现已逾期 {{ dpd }} 天。{% if outstanding %}该账户的未偿还总额为 {{ outstanding | money: currency }}。{% endif %}

请{% if deadline %}于 **{{ deadline | localdate }}** 前{% else %}尽快{% endif %}支付逾期款项。您可以：

- 通过网上银行或银行转账付款，并注明参考号 {{ reference }}；
- 如暂时无法全额付款，请致电我们商定还款计划；
- 如您已付款，请立即告知我们，以便我们更新记录。

如{% if deadline %}在 {{ deadline | localdate }} 后{% endif %}款项仍未支付，我们可能按合同收取相关费用，并采取进一步措施追收欠款，这可能影响您的信用记录。

如您遇到经济困难，请尽快与我们联系，我们将与您共同寻找解决方案。

此致
敬礼

{{ institution }}`,
  ),
];
