/*
 * The account page's views, the second part of its inlined script (see account-app-script.ts):
 * which section shows, and the lists of sessions, factors and recovery codes. Everything from
 * the service goes in as textContent, never as HTML. Also the helpers the actions are wired with,
 * and `run`, which runs one action at a time.
 */
export const ACCOUNT_APP_VIEWS = `
  var state = { email: null, restrictions: [], stepUpAsked: false };
  var busy = false;
  var PENDING = "One moment\\u2026";

  function byId(id) { return document.getElementById(id); }
  function has(list, item) { return list.indexOf(item) !== -1; }

  function show(text, ok) {
    var result = byId("result");
    result.textContent = text;
    result.className = ok ? "ok" : "error";
  }

  function noticeFor(restrictions) {
    if (has(restrictions, "EMAIL_NOT_VERIFIED")) {
      return "Verify your email address with the link we mailed you, then log in again.";
    }
    if (has(restrictions, "MFA_ENROLLMENT_REQUIRED")) {
      return "Your role requires a second factor: register a passkey to use your account.";
    }
    return "";
  }

  // Shows the section the state calls for; true when it is the account's.
  function showView() {
    var signedIn = tokens.access !== null;
    var required = has(state.restrictions, "MFA_REQUIRED");
    var stepUp = signedIn && (required || state.stepUpAsked);
    var full = state.restrictions.length === 0;
    var enrolling = state.restrictions.length === 1 && state.restrictions[0] === "MFA_ENROLLMENT_REQUIRED";
    byId("signed-out").hidden = signedIn;
    byId("session-bar").hidden = !signedIn;
    byId("who").textContent = state.email || "";
    byId("step-up").hidden = !stepUp;
    byId("step-up-cancel").hidden = required;
    byId("account").hidden = !signedIn || stepUp;
    byId("notice").textContent = noticeFor(state.restrictions);
    byId("sessions-part").hidden = !full;
    byId("factors-part").hidden = !(full || enrolling);
    return !byId("account").hidden;
  }

  function when(instant) {
    return instant ? new Date(instant).toLocaleString() : "never";
  }
  function describeSession(session) {
    return [
      session.current ? "This session" : "Another session",
      session.userAgent || "unknown browser",
      session.ip || "unknown address",
      "last used " + when(session.lastUsedAt),
      "assurance " + session.assuranceLevel
    ].join(" \\u00b7 ");
  }
  function describeProfile(me) {
    return [
      me.emailVerified ? "address verified" : "address not verified yet",
      me.mfaEnabled ? "second factor on" : "no second factor",
      me.recoveryCodesRemaining + " recovery codes left"
    ].join(" \\u00b7 ");
  }
  function describeFactor(factor) {
    return [
      factor.type === "PASSKEY" ? "Passkey" : "Authenticator app",
      factor.name || "unnamed",
      "added " + when(factor.createdAt),
      "last used " + when(factor.lastUsedAt)
    ].join(" \\u00b7 ");
  }

  // One item per entry, each with its button; the text "empty" when there is none.
  function fill(list, items, describe, label, act, empty) {
    list.replaceChildren();
    items.forEach(function (item) {
      var entry = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = describe(item);
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.disabled = busy;
      button.addEventListener("click", function () { run(function () { return act(item); }); });
      entry.append(text, " ", button);
      list.append(entry);
    });
    if (items.length === 0) {
      var none = document.createElement("li");
      none.textContent = empty;
      list.append(none);
    }
  }

  function showRecoveryCodes(codes) {
    var list = byId("recovery-codes");
    list.replaceChildren();
    codes.forEach(function (code) {
      var entry = document.createElement("li");
      entry.textContent = code;
      list.append(entry);
    });
    byId("recovery-part").hidden = codes.length === 0;
  }

  function clearAccount() {
    byId("profile").textContent = "";
    byId("sessions").replaceChildren();
    byId("factors").replaceChildren();
    showRecoveryCodes([]);
  }

  function onSubmit(id, act) {
    byId(id).addEventListener("submit", function (event) {
      event.preventDefault();
      run(act);
    });
  }
  function onClick(id, act) {
    byId(id).addEventListener("click", function () { run(act); });
  }
  function take(id) {
    var input = byId(id);
    var value = input.value;
    input.value = "";
    return value;
  }

  function describeFailure(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return "No passkey was used: it was cancelled, timed out, or could not verify you.";
    }
    if (name === "InvalidStateError") return "This authenticator holds a passkey for this account already.";
    if (error instanceof TypeError || error instanceof SyntaxError) {
      return "The service did not answer. Try again in a moment.";
    }
    return "Something went wrong: " + (error && error.message ? error.message : String(error));
  }

  // Runs one action at a time, every button disabled meanwhile; failures are shown.
  function run(work) {
    if (busy) return;
    function setBusy(on) {
      busy = on;
      document.querySelectorAll("button").forEach(function (button) { button.disabled = on; });
    }
    setBusy(true);
    show(PENDING, true);
    Promise.resolve()
      .then(work)
      .catch(function (error) { show(describeFailure(error), false); })
      .finally(function () {
        setBusy(false);
        if (byId("result").textContent === PENDING) show("", true);
      });
  }
`;
