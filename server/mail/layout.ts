import 'server-only';

import { brand } from '@/lib/brand';
import { getEnv } from '@/server/platform/env';

type Block = {
  locale: string;
  preheader: string;
  paragraphs: string[];
  button?: { label: string; href: string };
  code?: { intro: string; value: string; display: string };
  footer: string[];
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The brand's mail: a plain-text body and a table-based HTML body that mail clients render. */
export function renderBrandedMail(block: Block): { text: string; html: string } {
  const text = [
    ...block.paragraphs,
    ...(block.button ? [`${block.button.label}: ${block.button.href}`] : []),
    ...(block.code ? [`${block.code.intro} ${block.code.value}`] : []),
    ...block.footer,
    `— ${brand.name}`,
  ].join('\n\n');

  const { colors } = brand;
  const logo = `${getEnv().APP_URL}${brand.logo.src}`;
  const html = `<!doctype html>
<html lang="${escapeHtml(block.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(brand.name)}</title></head>
<body style="margin:0;background:${colors.background};color:${colors.text};font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">
<span style="display:none;max-height:0;overflow:hidden">${escapeHtml(block.preheader)}</span>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 16px">
<table role="presentation" width="100%" style="max-width:480px;background:#ffffff;border-radius:12px;padding:32px" cellpadding="0" cellspacing="0">
<tr><td style="padding-bottom:24px"><img src="${escapeHtml(logo)}" width="${brand.logo.width}" height="${brand.logo.height}" alt="${escapeHtml(brand.name)}" style="vertical-align:middle"> <strong style="font-size:18px;vertical-align:middle">${escapeHtml(brand.name)}</strong></td></tr>
${block.paragraphs.map((p) => `<tr><td style="font-size:16px;line-height:24px;padding-bottom:16px">${escapeHtml(p)}</td></tr>`).join('\n')}
${block.button ? `<tr><td style="padding:8px 0 24px"><a href="${escapeHtml(block.button.href)}" style="display:inline-block;background:${colors.primary};color:${colors.onPrimary};text-decoration:none;font-weight:600;padding:12px 24px;border-radius:8px">${escapeHtml(block.button.label)}</a></td></tr>` : ''}
${block.code ? `<tr><td style="font-size:16px;line-height:24px">${escapeHtml(block.code.intro)}</td></tr><tr><td style="font-size:32px;font-weight:700;letter-spacing:6px;padding:8px 0 24px;font-family:ui-monospace,Menlo,monospace">${escapeHtml(block.code.display)}</td></tr>` : ''}
${block.footer.map((p) => `<tr><td style="font-size:14px;line-height:20px;color:${colors.muted};padding-bottom:8px">${escapeHtml(p)}</td></tr>`).join('\n')}
</table></td></tr></table></body></html>`;
  return { text, html };
}
