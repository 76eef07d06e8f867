/*
 * The account page's login, the third part of its inlined script (see account-app-script.ts):
 * sign-up, login with a password or a passkey, and the second factor a restricted session (or
 * a stale one, REAUTHENTICATION_REQUIRED) proves. Passwords and codes leave their fields once
 * sent.
 */
export const ACCOUNT_APP_LOGIN = `
  async function finishLogin(answer, field) {
    if (errorOf(answer)) return show(errorOf(answer).message, false);
    await adopt(answer.data[field]);
    show(has(state.restrictions, "MFA_REQUIRED") ? "Prove your second factor to go on." : "", true);
  }

  onSubmit("login-form", async function () {
    var input = { email: byId("login-email").value, password: take("login-password") };
    var answer = await post("mutation Login($input: LoginInput!) { login(input: $input) { " + PAIR + " } }",
      { input: input });
    await finishLogin(answer, "login");
  });

  onSubmit("signup-form", async function () {
    var input = { email: byId("signup-email").value, password: take("signup-password") };
    var name = take("signup-name");
    if (name) input.name = name;
    var answer = await post("mutation SignUp($input: SignUpInput!) { signUp(input: $input) { " + PAIR + " } }",
      { input: input });
    await finishLogin(answer, "signUp");
  });

  onClick("passkey-login", async function () {
    var email = byId("login-email").value;
    var started = await post("mutation StartPasskeyLogin($email: String) { startPasskeyLogin(email: $email) { challengeId options } }",
      { email: email || null });
    if (errorOf(started)) return show(errorOf(started).message, false);
    var challenge = started.data.startPasskeyLogin;
    var response = await usePasskey(challenge.options);
    var answer = await post("mutation FinishPasskeyLogin($id: ID!, $response: JSON!) { finishPasskeyLogin(challengeId: $id, response: $response) { " + PAIR + " } }",
      { id: challenge.challengeId, response: response });
    await finishLogin(answer, "finishPasskeyLogin");
  });

  async function finishStepUp(answer, field) {
    if (refused(answer)) return;
    await adopt(answer.data[field]);
    show("Second factor proved.", true);
  }

  onSubmit("totp-form", async function () {
    var answer = await call("mutation VerifyTotp($code: String!) { verifyTotp(code: $code) { " + PAIR + " } }",
      { code: take("totp-code").trim() });
    await finishStepUp(answer, "verifyTotp");
  });

  onSubmit("recovery-form", async function () {
    var answer = await call("mutation VerifyRecoveryCode($code: String!) { verifyRecoveryCode(code: $code) { " + PAIR + " } }",
      { code: take("recovery-code").trim() });
    await finishStepUp(answer, "verifyRecoveryCode");
  });

  onClick("passkey-verify", async function () {
    var started = await call("mutation StartPasskeyVerification { startPasskeyVerification { challengeId options } }");
    if (refused(started)) return;
    var challenge = started.data.startPasskeyVerification;
    var response = await usePasskey(challenge.options);
    var answer = await call("mutation FinishPasskeyVerification($id: ID!, $response: JSON!) { finishPasskeyVerification(challengeId: $id, response: $response) { " + PAIR + " } }",
      { id: challenge.challengeId, response: response });
    await finishStepUp(answer, "finishPasskeyVerification");
  });

  onClick("step-up-cancel", function () {
    state.stepUpAsked = false;
    showView();
    show("", true);
  });

`;
