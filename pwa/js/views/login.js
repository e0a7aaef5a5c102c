// Sign in. After a sign-in the app goes back to where the officer was headed (a scanned zone
// QR label, or the screen a 401 interrupted) and syncs what waited on the device.

import { ApiError } from "../api.js";
import { t } from "../i18n.js";
import { flush } from "../outbox.js";
import { S, home, login } from "../session.js";
import { esc, go } from "../ui.js";

export function render(view) {
  const expired = S.session && S.session.expired;
  const name = S.session ? S.session.user.username : "";
  view.innerHTML = `
    <form class="login card" novalidate>
      <h1 tabindex="-1">${esc(t("signIn"))} · ${esc(t("app"))}</h1>
      ${expired ? `<p class="notice">${esc(t("relogin"))}</p>` : ""}
      <label for="username">${esc(t("username"))}</label>
      <input id="username" name="username" autocomplete="username" autocapitalize="none"
        spellcheck="false" required value="${esc(name)}">
      <label for="password">${esc(t("password"))}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <p data-error role="alert" class="error"></p>
      <button type="submit" class="primary" data-login>${esc(t("signIn"))}</button>
    </form>`;
  const form = view.querySelector("form");
  const error = view.querySelector("[data-error]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("[data-login]");
    error.textContent = "";
    button.disabled = true;
    try {
      await login(form.username.value.trim(), form.password.value);
      const next = sessionStorage.getItem("genba.next") || home();
      sessionStorage.removeItem("genba.next");
      flush();
      go(next);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      error.textContent =
        status === 401
          ? t("badLogin")
          : status === 429
            ? t("tooMany", { s: err.retryAfter || 60 })
            : status === 0
              ? t("noNetwork")
              : err.detail || String(err);
      button.disabled = false;
    }
  });
  (name ? form.password : form.username).focus();
}
