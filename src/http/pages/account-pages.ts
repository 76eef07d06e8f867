import type { Plugin } from 'graphql-yoga';
import { escapeHtml, pageHeadersFor } from './page-headers.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-script.js';

/*
 * The built-in pages the mailed links point to when no *_URL template is set: GET
 * /verify-email, /reset-password and /confirm-email-change, each with ?token=. Loading a page
 * consumes nothing (mail scanners open links); its button or form calls the GraphQL API.
 * The token is in the URL, so the pages are never cached, never framed, and send no Referer.
 */

interface AccountPage {
  readonly title: string;
  readonly intro: string;
  readonly button: string;
  readonly done: string;
  readonly query: string;
  readonly passwordForm: boolean;
}

const PAGES: Readonly<Record<string, AccountPage>> = {
  '/verify-email': {
    title: 'Verify your email address',
    intro: 'Confirm that this address is yours.',
    button: 'Verify my address',
    done: 'Your address is verified. You can close this page.',
    query: 'mutation VerifyEmail($token: String!) { verifyEmail(token: $token) }',
    passwordForm: false,
  },
  '/reset-password': {
    title: 'Choose a new password',
    intro: 'Every session of your account ends when you set a new password.',
    button: 'Set the new password',
    done: 'Your password was changed. You can now log in with it.',
    query:
      'mutation ResetPassword($input: ResetPasswordInput!) { resetPassword(input: $input) { restrictions } }',
    passwordForm: true,
  },
  '/confirm-email-change': {
    title: 'Confirm the email change',
    intro: 'Confirm the change of the address of your account (or its undoing, from the notice).',
    button: 'Confirm',
    done: 'Done: your account has the address this link was sent for.',
    query: 'mutation ConfirmEmailChange($token: String!) { confirmEmailChange(token: $token) }',
    passwordForm: false,
  },
};

export const ACCOUNT_PAGE_HEADERS = pageHeadersFor(PAGE_SCRIPT, PAGE_STYLE);

export function renderAccountPage(page: AccountPage): string {
  const password = page.passwordForm
    ? `<label for="password">New password</label>
<input id="password" type="password" autocomplete="new-password" required>
<label for="repeat">The new password again</label>
<input id="repeat" type="password" autocomplete="new-password" required>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body data-query="${escapeHtml(page.query)}" data-done="${escapeHtml(page.done)}">
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.intro)}</p>
<form id="act">
${password}
<button type="submit">${escapeHtml(page.button)}</button>
</form>
<p id="result" role="status"></p>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** Serves the pages on GET (and HEAD); every other path or method passes through. */
export function useAccountPages(): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      const page = PAGES[url.pathname];
      if (page === undefined || !['GET', 'HEAD'].includes(request.method)) return;
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : renderAccountPage(page), {
          // A copy: the Response adds its own headers (content-length…) to the object given.
          headers: { ...ACCOUNT_PAGE_HEADERS },
        }),
      );
    },
  };
}
