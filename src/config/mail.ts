import { type LinkSettings, TOKEN_PLACEHOLDER } from '../auth/recovery/link-settings.js';
import {
  ConfigError,
  type Environment,
  maskPassword,
  readBoolean,
  readDuration,
  readMilliseconds,
  readOptional,
} from './environment.js';

/** How mail leaves the service. */
export interface MailConfig {
  /** `smtp://` (STARTTLS when offered) or `smtps://`; null: mails go to the log (not in production). */
  readonly smtpUrl: string | null;
  /** SMTP_URL with its password masked, for logs. */
  readonly smtpDescription: string | null;
  /** MAIL_FROM: the sender address (with an optional display name). */
  readonly from: string;
  /** MAIL_MAX_AGE in seconds: a mail still unsent after this is dead-lettered. */
  readonly maxAge: number;
  /** SMTP_TIMEOUT in milliseconds: one delivery attempt's bound, after which it is retried. */
  readonly sendTimeoutMs: number;
}

/** The built-in pages each link points to when its template is unset. */
const OWN_PAGES = {
  verify_email: '/verify-email',
  reset_password: '/reset-password',
  change_email: '/confirm-email-change',
  undo_email_change: '/confirm-email-change',
} as const;

/** PUBLIC_URL: where the service's own pages are reached; AUTH_ISSUER by default. */
export function readPublicUrl(env: Environment, issuer: string): string {
  const raw = readOptional(env, 'PUBLIC_URL') ?? issuer;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError(
      'PUBLIC_URL',
      'expected an http(s) URL such as https://auth.example.com',
      raw,
    );
  }
  return raw.replace(/\/+$/, '');
}

/** The link lifetimes and templates (EMAIL_VERIFICATION_URL and friends). */
export function readLinkSettings(env: Environment, publicUrl: string): LinkSettings {
  const changeEmailTtl = readDuration(env, 'EMAIL_CHANGE_TTL', '24h', 60);
  const changeEmailUrl = readTemplate(env, 'EMAIL_CHANGE_URL', publicUrl, OWN_PAGES.change_email);
  return Object.freeze({
    lifetimes: Object.freeze({
      verify_email: readDuration(env, 'EMAIL_VERIFICATION_TTL', '24h', 60),
      reset_password: readDuration(env, 'PASSWORD_RESET_TTL', '30m', 60),
      change_email: changeEmailTtl,
      undo_email_change: changeEmailTtl,
    }),
    urls: Object.freeze({
      verify_email: readTemplate(env, 'EMAIL_VERIFICATION_URL', publicUrl, OWN_PAGES.verify_email),
      reset_password: readTemplate(env, 'PASSWORD_RESET_URL', publicUrl, OWN_PAGES.reset_password),
      change_email: changeEmailUrl,
      undo_email_change: changeEmailUrl,
    }),
  });
}

function readTemplate(env: Environment, name: string, publicUrl: string, page: string): string {
  const raw = readOptional(env, name);
  if (raw === undefined) return `${publicUrl}${page}?token=${TOKEN_PLACEHOLDER}`;
  const probe = raw.replaceAll(TOKEN_PLACEHOLDER, 'token');
  if (!raw.includes(TOKEN_PLACEHOLDER) || !URL.canParse(probe)) {
    throw new ConfigError(
      name,
      `expected an absolute URL containing ${TOKEN_PLACEHOLDER}, such as https://app.example.com/reset?token=${TOKEN_PLACEHOLDER}`,
      raw,
    );
  }
  return raw;
}

/** REQUIRE_EMAIL_VERIFICATION (false by default). */
export function readRequireEmailVerification(env: Environment): boolean {
  return readBoolean(env, 'REQUIRE_EMAIL_VERIFICATION');
}

/**
 * SMTP_URL, MAIL_FROM, MAIL_MAX_AGE and SMTP_TIMEOUT. Production refuses to start without
 * SMTP_URL: the log, the default elsewhere, would put every link in a log line. The command
 * line (`use: 'cli'`) only queues mail, so it needs none.
 */
export function readMail(
  env: Environment,
  isProduction: boolean,
  requireSmtp: boolean,
): MailConfig {
  const raw = readOptional(env, 'SMTP_URL');
  let smtpDescription: string | null = null;
  if (raw !== undefined) {
    const url = URL.canParse(raw) ? new URL(raw) : null;
    if (url === null || !['smtp:', 'smtps:'].includes(url.protocol) || url.hostname === '') {
      throw new ConfigError(
        'SMTP_URL',
        'expected smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465',
        url === null ? raw : maskPassword(url),
      );
    }
    smtpDescription = maskPassword(url);
  } else if (isProduction && requireSmtp) {
    throw new ConfigError(
      'SMTP_URL',
      'required when NODE_ENV=production (outside production, mail goes to the log); expected smtp://user:pass@host:587',
      '',
    );
  }
  const from = readOptional(env, 'MAIL_FROM') ?? 'GraphQL auth service <no-reply@localhost>';
  if (!/^[^\r\n<>]*<[^\s<>@]+@[^\s<>@]+>$|^[^\s<>@]+@[^\s<>@]+$/.test(from)) {
    throw new ConfigError('MAIL_FROM', 'expected an address, or "Name <address>"', from);
  }
  return Object.freeze({
    smtpUrl: raw ?? null,
    smtpDescription,
    from,
    maxAge: readDuration(env, 'MAIL_MAX_AGE', '24h', 60),
    sendTimeoutMs: readMilliseconds(env, 'SMTP_TIMEOUT', '10s', 100, 120_000),
  });
}
