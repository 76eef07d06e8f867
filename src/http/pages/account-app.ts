import type { Plugin } from 'graphql-yoga';
import { ACCOUNT_APP_SCRIPT } from './account-app-script.js';
import { pageHeadersFor } from './page-headers.js';
import { PAGE_STYLE } from './page-script.js';

/*
 * The built-in account page, GET /account: sign up, log in (password, then a second factor when
 * asked; or a passkey alone), then the user's sessions, passkeys and factors. The HTML is fixed:
 * the script fills it from the GraphQL API and keeps the tokens in memory only, so the page
 * holds nothing of the user's when served and may be served to anyone.
 */

export const ACCOUNT_APP_PATH = '/account';

export const ACCOUNT_APP_STYLE = `${PAGE_STYLE}
h2{font-size:1.1rem;margin-top:1.6rem}section{margin-top:1rem}ul,ol{padding-left:1.2rem}li{margin:.4rem 0}
li button{margin:0 0 0 .4rem;padding:.2rem .6rem;font-size:.9rem}.bar{display:flex;gap:1rem;align-items:center;justify-content:space-between}
.bar button{margin:0}#recovery-codes{font-family:ui-monospace,monospace}[hidden]{display:none!important}`;

const HEADERS = pageHeadersFor(ACCOUNT_APP_SCRIPT, ACCOUNT_APP_STYLE);

const SIGNED_OUT = `<section id="signed-out">
<h2>Log in</h2>
<form id="login-form">
<label for="login-email">Email</label>
<input id="login-email" type="email" autocomplete="username" required>
<label for="login-password">Password</label>
<input id="login-password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
<p class="passkey"><button id="passkey-login" type="button">Log in with a passkey</button></p>
<h2>New here?</h2>
<form id="signup-form">
<label for="signup-email">Email</label>
<input id="signup-email" type="email" autocomplete="username" required>
<label for="signup-password">Password (8 to 128 characters)</label>
<input id="signup-password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<label for="signup-name">Name (optional)</label>
<input id="signup-name" type="text" autocomplete="name" maxlength="100">
<button type="submit">Sign up</button>
</form>
</section>`;

const STEP_UP = `<section id="step-up" hidden>
<h2>Prove your second factor</h2>
<form id="totp-form">
<label for="totp-code">Code from your authenticator app</label>
<input id="totp-code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Verify the code</button>
</form>
<form id="recovery-form">
<label for="recovery-code">Or a recovery code</label>
<input id="recovery-code" type="text" autocomplete="off" required>
<button type="submit">Use the recovery code</button>
</form>
<p class="passkey"><button id="passkey-verify" type="button">Use a passkey</button></p>
<p><button id="step-up-cancel" type="button">Back</button></p>
</section>`;

const ACCOUNT = `<section id="account" hidden>
<p id="notice"></p>
<div id="sessions-part">
<h2>Your sessions</h2>
<ul id="sessions"></ul>
</div>
<div id="factors-part">
<h2>Your second factors</h2>
<ul id="factors"></ul>
<form id="passkey-form" class="passkey">
<label for="passkey-name">Name of a new passkey (optional)</label>
<input id="passkey-name" type="text" maxlength="100" autocomplete="off">
<div id="passkey-password-row" hidden>
<label for="passkey-password">Your current password</label>
<input id="passkey-password" type="password" autocomplete="current-password">
</div>
<button type="submit">Register a passkey</button>
</form>
<div id="recovery-part" hidden>
<p>Your recovery codes. Each works once, instead of a second factor. Keep them somewhere safe: they are shown only now.</p>
<ol id="recovery-codes"></ol>
</div>
</div>
</section>`;

/** The page; `cookieMode` tells its script that the refresh token is in the service's cookie. */
export function renderAccountApp(options: { readonly cookieMode: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Your account</title>
<style>${ACCOUNT_APP_STYLE}</style>
</head>
<body data-cookie-mode="${options.cookieMode ? 'true' : 'false'}">
<h1>Your account</h1>
<div id="session-bar" hidden>
<p class="bar"><span>Signed in as <strong id="who"></strong></span><button id="logout" type="button">Log out</button></p>
<p id="profile"></p>
</div>
${SIGNED_OUT}
${STEP_UP}
${ACCOUNT}
<p id="result" role="status"></p>
<script>${ACCOUNT_APP_SCRIPT}</script>
</body>
</html>
`;
}

/** Serves the account page on GET (and HEAD) /account; everything else passes through. */
export function useAccountApp(options: { readonly cookieMode: boolean }): Plugin {
  const html = renderAccountApp(options);
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname !== ACCOUNT_APP_PATH || !['GET', 'HEAD'].includes(request.method)) return;
      // A copy of the headers: the Response adds its own (content-length…) to the object given.
      const headers = { ...HEADERS };
      endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : html, { headers }));
    },
  };
}
