import type { MailKind, MailPayload } from '../ports/link-records.js';

/** A mail's words: subject, text part and HTML part. */
export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** One paragraph of text and, when there is a link, the link on a line of its own, verbatim. */
function compose(subject: string, lines: readonly string[], link: string | undefined): MailContent {
  const text = [...lines, ...(link === undefined ? [] : ['', link])].join('\n');
  const paragraphs = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('');
  const anchor =
    link === undefined ? '' : `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`;
  return {
    subject,
    text: `${text}\n`,
    html: `<!doctype html><html><body>${paragraphs}${anchor}</body></html>`,
  };
}

/** The words of a mail of `kind` with `payload` (its link, the addresses it names). */
export function composeMail(kind: MailKind, payload: MailPayload): MailContent {
  const { link } = payload;
  switch (kind) {
    case 'verify_email':
      return compose('Verify your email address', ['Open this link to verify your address:'], link);
    case 'reset_password':
      return compose(
        'Reset your password',
        [
          'Someone asked to reset the password of your account. If it was you, open this link.',
          'If it was not, ignore this mail: your password stays as it is.',
        ],
        link,
      );
    case 'change_email':
      return compose('Confirm your new email address', ['Open this link to confirm it:'], link);
    case 'email_change_notice':
      return compose(
        'Your email address is being changed',
        [
          `Someone asked to change the address of your account to ${payload.newEmail ?? 'another one'}.`,
          'If it was not you, open this link: it restores this address and ends every session.',
        ],
        link,
      );
    case 'password_changed':
      return compose(
        'Your password was changed',
        [
          'The password of your account was just reset, and every session was ended.',
          'If it was not you, reset it again at once and contact the operator of this service.',
        ],
        undefined,
      );
    case 'mfa_enrolled':
      return compose(
        'A second factor was added to your account',
        [
          payload.factorType === 'PASSKEY'
            ? `A passkey (${payload.factorName ?? 'Passkey'}) now protects your account.`
            : `An authenticator app (${payload.factorName ?? 'TOTP'}) now protects your account.`,
          'If it was not you, reset your password at once and contact the operator of this service.',
        ],
        undefined,
      );
    case 'mfa_removed':
      return compose(
        'A second factor was removed from your account',
        [
          payload.byOperator === 'true'
            ? 'The operator of this service removed every second factor and recovery code of your account, and ended its sessions.'
            : `A second factor (${payload.factorName ?? 'TOTP'}) was removed from your account.`,
          'If you did not ask for this, reset your password at once and contact the operator of this service.',
        ],
        undefined,
      );
    case 'recovery_codes_regenerated':
      return compose(
        'New recovery codes were made',
        [
          'Your account has 10 new recovery codes; the earlier ones no longer work.',
          'If it was not you, reset your password at once and contact the operator of this service.',
        ],
        undefined,
      );
    case 'recovery_code_used':
      return compose(
        'A recovery code was used',
        [
          `A recovery code was just used to sign in to your account. ${payload.remaining ?? 'Some'} codes remain.`,
          'If it was not you, reset your password at once and generate new recovery codes.',
        ],
        undefined,
      );
    case 'test':
      return compose(
        'Test mail',
        ['This is a test mail from the GraphQL auth service.'],
        undefined,
      );
  }
}
