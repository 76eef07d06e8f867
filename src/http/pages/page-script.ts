/*
 * The one script of the account pages, inlined and allowed by its SHA-256 in the page's CSP.
 * It reads the token from the address bar (never from the server's HTML), and only a click or
 * a submit sends it: mail scanners that open the link consume nothing. The call carries the
 * CSRF header and goes to `graphql` next to the page, the service's own origin.
 */
export const PAGE_SCRIPT = `"use strict";
(function () {
  var body = document.body;
  var token = new URLSearchParams(location.search).get("token");
  var form = document.getElementById("act");
  var result = document.getElementById("result");
  function show(text, ok) {
    result.textContent = text;
    result.className = ok ? "ok" : "error";
  }
  if (!token) {
    form.hidden = true;
    show("This link has no token. Open the link from the mail again.", false);
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var variables = { token: token };
    var password = document.getElementById("password");
    if (password) {
      var repeat = document.getElementById("repeat");
      if (password.value !== repeat.value) {
        show("The two passwords differ.", false);
        return;
      }
      variables = { input: { token: token, newPassword: password.value } };
    }
    var button = form.querySelector("button");
    button.disabled = true;
    show("One moment\\u2026", true);
    fetch("graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "x-graphql-yoga-csrf": "1" },
      body: JSON.stringify({ query: body.dataset.query, variables: variables }),
      credentials: "same-origin"
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.errors && answer.errors.length > 0) {
          button.disabled = false;
          show(answer.errors[0].message, false);
          return;
        }
        form.hidden = true;
        show(body.dataset.done, true);
      })
      .catch(function () {
        button.disabled = false;
        show("The service did not answer. Try again in a moment.", false);
      });
  });
})();
`;

export const PAGE_STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.ok{color:#075e1c}.error{color:#a4000f}`;
