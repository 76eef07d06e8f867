import { ACCOUNT_APP_CLIENT } from './account-app-client.js';
import { ACCOUNT_APP_LOGIN } from './account-app-login.js';
import { ACCOUNT_APP_VIEWS } from './account-app-views.js';

/*
 * The one script of the account page (GET /account), inlined and allowed by its SHA-256 in the
 * page's CSP: the GraphQL client, the views, the login, then the signed-in actions below, in one
 * function scope so that nothing (the tokens least of all) is reachable from the page's globals.
 * The start-up statements come last, once every part is defined.
 */
const ACCOUNT_APP_ACTIONS = `
  var SESSION_FIELDS = "id current createdAt lastUsedAt userAgent ip assuranceLevel";
  var FACTOR_FIELDS = "id type name createdAt lastUsedAt";

  async function adopt(pair) {
    keepTokens(pair);
    state = { email: pair.user.email, restrictions: pair.restrictions, stepUpAsked: false };
    var onAccount = showView();
    await Promise.all([loadProfile(), onAccount ? loadAccount() : null]);
  }

  function signOut(message, ok) {
    forgetTokens();
    state = { email: null, restrictions: [], stepUpAsked: false };
    clearAccount();
    showView();
    show(message, ok);
  }

  // Shows why a signed-in call was refused: an ended session signs out, a stale login asks
  // for the second factor again. False when the call was not refused.
  function refused(answer) {
    var error = errorOf(answer);
    if (!error) return false;
    if (codeOf(answer) === "UNAUTHENTICATED") {
      signOut(error.message, false);
    } else if (reasonOf(answer) === "REAUTHENTICATION_REQUIRED") {
      state.stepUpAsked = true;
      showView();
      show(error.message, false);
    } else {
      show(error.message, false);
    }
    return true;
  }

  // \`me\` answers every signed-in session, restricted ones too.
  async function loadProfile() {
    var answer = await call("query Me { me { email emailVerified mfaEnabled recoveryCodesRemaining } }");
    if (refused(answer)) return;
    state.email = answer.data.me.email;
    byId("who").textContent = state.email;
    byId("profile").textContent = describeProfile(answer.data.me);
  }

  async function loadSessions() {
    var answer = await call("query MySessions { mySessions { " + SESSION_FIELDS + " } }");
    if (refused(answer)) return;
    fill(byId("sessions"), answer.data.mySessions, describeSession, "Revoke", revokeSession,
      "No session.");
  }
  async function loadFactors() {
    var answer = await call("query MfaFactors { mfaFactors { " + FACTOR_FIELDS + " } }");
    if (refused(answer)) return;
    fill(byId("factors"), answer.data.mfaFactors, describeFactor, "Remove", removeFactor,
      "No second factor yet.");
  }
  function loadAccount() {
    return Promise.all([
      byId("sessions-part").hidden ? null : loadSessions(),
      byId("factors-part").hidden ? null : loadFactors()
    ]);
  }

  async function revokeSession(session) {
    var answer = await call("mutation RevokeSession($id: ID!) { revokeSession(id: $id) }",
      { id: session.id });
    if (refused(answer)) return;
    if (session.current) return signOut("This session has ended.", true);
    await loadSessions();
    show(answer.data.revokeSession ? "The session was revoked." : "That session had ended already.", true);
  }

  async function removeFactor(factor) {
    var answer = await call("mutation RemoveMfaFactor($id: ID!) { removeMfaFactor(factorId: $id) }",
      { id: factor.id });
    if (refused(answer)) return;
    await Promise.all([loadFactors(), loadProfile()]);
    show("The factor was removed.", true);
  }

  onSubmit("passkey-form", async function () {
    var name = byId("passkey-name").value;
    var started = await call("mutation StartPasskeyRegistration($name: String, $password: String) { startPasskeyRegistration(name: $name, currentPassword: $password) { challengeId options } }",
      { name: name || null, password: take("passkey-password") || null });
    if (reasonOf(started) === "REAUTHENTICATION_REQUIRED" || reasonOf(started) === "WRONG_PASSWORD") {
      byId("passkey-password-row").hidden = false;
      return show(errorOf(started).message + " Enter your current password, then register again.", false);
    }
    if (refused(started)) return;
    var challenge = started.data.startPasskeyRegistration;
    var response = await createPasskey(challenge.options);
    var answer = await call("mutation FinishPasskeyRegistration($id: ID!, $response: JSON!) { finishPasskeyRegistration(challengeId: $id, response: $response) { recoveryCodes tokens { " + PAIR + " } } }",
      { id: challenge.challengeId, response: response });
    if (refused(answer)) return;
    var confirmation = answer.data.finishPasskeyRegistration;
    byId("passkey-name").value = "";
    byId("passkey-password-row").hidden = true;
    await adopt(confirmation.tokens);
    showRecoveryCodes(confirmation.recoveryCodes);
    show("The passkey is registered.", true);
  });

  onClick("logout", async function () {
    var answer = await call("mutation Logout { logout }");
    if (errorOf(answer) && codeOf(answer) !== "UNAUTHENTICATED") return show(errorOf(answer).message, false);
    signOut("You are logged out.", true);
  });

  if (!passkeysWork()) {
    document.querySelectorAll(".passkey").forEach(function (part) { part.hidden = true; });
  }
  showView();
  // In cookie mode the refresh cookie may still hold a session from before this page load.
  if (cookieMode) {
    run(async function () {
      var answer = await reissue();
      if (!errorOf(answer)) await adopt(answer.data.reissue);
    });
  }
`;

export const ACCOUNT_APP_SCRIPT = `"use strict";
(function () {${ACCOUNT_APP_CLIENT}${ACCOUNT_APP_VIEWS}${ACCOUNT_APP_LOGIN}${ACCOUNT_APP_ACTIONS}})();
`;
