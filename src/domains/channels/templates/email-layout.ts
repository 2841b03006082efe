/**
 * The HTML frame every email is rendered into. Mail clients (Outlook's Word engine, Gmail's CSS
 * stripping) need tables for layout and inline styles — no <style> blocks, no flexbox — and a `lang`
 * so screen readers and spam filters read the right language. The content is the template's HTML.
 */
export const EMAIL_LAYOUT = `<!DOCTYPE html>
<html lang="{{ locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{{ subject }}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<span style="display:none;max-height:0;overflow:hidden;opacity:0;">{{ preheader }}</span>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background-color:#ffffff;border-radius:6px;">
<tr><td style="padding:24px 32px;font-family:Arial,Helvetica,'PingFang SC','Microsoft YaHei',sans-serif;font-size:16px;line-height:24px;color:#1f2933;">
{{ content }}
</td></tr>
<tr><td style="padding:16px 32px;font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:18px;color:#7b8794;border-top:1px solid #e4e7eb;">
{{ footer }}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;

/** The footer line under every email, per language (falls back to English). */
export const EMAIL_FOOTER: Record<string, string> = {
  en: 'This message was sent about your account. Please do not reply to this address.',
  es: 'Este mensaje se ha enviado en relación con su cuenta. Por favor, no responda a esta dirección.',
  'zh-CN': '此邮件与您的账户有关，请勿直接回复。',
};
