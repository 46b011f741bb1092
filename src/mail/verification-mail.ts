import type { VerificationPurpose } from '../verification-codes/verification-code.entity';

export interface VerificationMail {
  subject: string;
  text: string;
  html: string;
}

const ACTIONS: Record<VerificationPurpose, string> = { register: '注册账号', reset: '重置密码' };

/** The short Chinese message that carries a code, as plain text and as HTML. */
export function verificationMail(purpose: VerificationPurpose, username: string, code: string): VerificationMail {
  const action = ACTIONS[purpose];
  const lines = [
    `${username}，您好：`,
    `您正在${action}，验证码为 ${code}，10 分钟内有效。`,
    '如果这不是您本人的操作，请忽略此邮件。',
  ];
  return {
    subject: `FunGame ${action}验证码：${code}`,
    text: `${lines.join('\n')}\n`,
    html:
      `<p>${escapeHtml(lines[0])}</p>` +
      `<p>您正在${action}，验证码为 <strong style="font-size:1.4em;letter-spacing:0.2em">${code}</strong>，10 分钟内有效。</p>` +
      `<p>${escapeHtml(lines[2])}</p>`,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
