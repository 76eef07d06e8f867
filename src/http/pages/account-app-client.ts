/*
 * The account page's GraphQL client, the first part of its one inlined script (see
 * account-app-script.ts). It calls `graphql` next to the page, the service's own origin, with
 * yoga's CSRF header. The tokens live in the variables below only: never in web storage, never
 * in a cookie set by script, so they end with the page. In cookie mode the service keeps the
 * refresh token in its HttpOnly cookie and the script never sees it: `reissue` is then sent
 * without an Authorization header, and the pair fields it asks for leave `refreshToken` out.
 */
export const ACCOUNT_APP_CLIENT = `
  var cookieMode = document.body.dataset.cookieMode === "true";
  var tokens = { access: null, refresh: null };
  var reissuing = null;
  var PAIR = "accessToken " + (cookieMode ? "" : "refreshToken ") +
    "restrictions assuranceLevel user { email }";

  function errorOf(answer) {
    return answer.errors && answer.errors.length > 0 ? answer.errors[0] : null;
  }
  function reasonOf(answer) {
    var error = errorOf(answer);
    return error && error.extensions ? error.extensions.reason : undefined;
  }
  function codeOf(answer) {
    var error = errorOf(answer);
    return error && error.extensions ? error.extensions.code : undefined;
  }

  function post(query, variables, bearer) {
    var headers = { "content-type": "application/json", "x-graphql-yoga-csrf": "1" };
    if (bearer) headers.authorization = "Bearer " + bearer;
    return fetch("graphql", {
      method: "POST",
      headers: headers,
      credentials: "same-origin",
      body: JSON.stringify({ query: query, variables: variables || {} })
    }).then(function (response) { return response.json(); });
  }

  function keepTokens(pair) {
    tokens.access = pair.accessToken;
    tokens.refresh = cookieMode ? null : pair.refreshToken;
  }
  function forgetTokens() {
    tokens.access = null;
    tokens.refresh = null;
  }

  // One reissue at a time: a second one would present the refresh token the first has just
  // retired, which the service takes for a stolen token and answers by ending the session.
  function reissue() {
    if (reissuing === null) {
      reissuing = post("mutation Reissue { reissue { " + PAIR + " } }", {}, tokens.refresh)
        .then(function (answer) {
          if (!errorOf(answer)) keepTokens(answer.data.reissue);
          return answer;
        })
        .finally(function () { reissuing = null; });
    }
    return reissuing;
  }

  // An operation with the access token. When it has expired, reissue once and retry once
  // (with the new token at once when another call renewed it meanwhile).
  async function call(query, variables) {
    var sent = tokens.access;
    var answer = await post(query, variables, sent);
    if (reasonOf(answer) !== "TOKEN_EXPIRED") return answer;
    if (tokens.access === sent) {
      var renewed = await reissue();
      if (errorOf(renewed)) return renewed;
    }
    return post(query, variables, tokens.access);
  }

  function passkeysWork() {
    return typeof PublicKeyCredential === "function" &&
      typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
      typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";
  }
  async function createPasskey(options) {
    var publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
    return (await navigator.credentials.create({ publicKey: publicKey })).toJSON();
  }
  async function usePasskey(options) {
    var publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
    return (await navigator.credentials.get({ publicKey: publicKey })).toJSON();
  }
`;
