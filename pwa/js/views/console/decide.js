// The decision on a submitted audit: approve, or return with a comment (required: checked here
// and by the server); for admins, void with a reason. The server's refusals (403: your own audit
// or your zone's; 409: photos still missing) show above the buttons. A decided or void audit
// shows its review or void instead.

import { ApiError, request } from "../../api.js";
import { t, when } from "../../i18n.js";
import { esc } from "../../ui.js";
import { T, enc, isAdmin } from "./shared.js";

const quote = (s) => (s ? `<br><q>${esc(s)}</q>` : "");

export function panel(audit) {
  const r = audit.review;
  const info = [
    audit.void ? `<p class="banner warn" data-void-info>${T("voidInfo", { by: audit.void.by, at: when(audit.void.at) })}${quote(audit.void.reason)}</p>` : "",
    r && audit.status !== "submitted"
      ? `<p class="banner ${r.decision === "approve" ? "ok" : "warn"}" data-review-info="${esc(r.decision)}">${T("reviewInfo", {
          decision: t(r.decision === "approve" ? "approved" : "returned"),
          by: r.by,
          at: when(r.at),
        })}${quote(r.comment)}</p>`
      : "",
  ].join("");
  const decide =
    audit.status === "submitted"
      ? `<form class="decide" data-decision novalidate aria-labelledby="h-decide"><h2 id="h-decide">${T("comment")}</h2>
      <label class="vh" for="review-comment">${T("comment")}</label>
      <textarea id="review-comment" rows="3" data-comment aria-describedby="review-hint review-error"></textarea>
      <p id="review-hint" class="muted">${T("commentHint")}</p><p id="review-error" class="ferr" role="alert" data-review-error></p>
      <p class="actions"><button type="button" class="primary" data-approve aria-keyshortcuts="a">${T("approve")} <kbd>A</kbd></button>
      <button type="button" class="bad" data-return aria-keyshortcuts="r">${T("returnIt")} <kbd>R</kbd></button></p></form>`
      : `<p class="muted" data-read-only>${T("readOnly", { status: t(audit.status) })}</p>`;
  const voiding =
    isAdmin() && !["void", "discarded"].includes(audit.status)
      ? `<details class="voiding" data-void-panel><summary>${T("voidOpen")}</summary>
      <label for="void-reason">${T("voidReason")}</label><textarea id="void-reason" rows="2" data-void-reason aria-describedby="void-hint void-error"></textarea>
      <p id="void-hint" class="muted">${T("voidHint")}</p><p id="void-error" class="ferr" role="alert" data-void-error></p>
      <p><button type="button" class="bad" data-void>${T("voidIt")}</button></p></details>`
      : "";
  return info + decide + voiding;
}

/**
 * Wires the panel under `root`; `done(view, decision)` runs after the server took it.
 * Returns {approve, returnIt} for the shortcuts.
 */
export function bind(root, audit, done) {
  const $ = (s) => root.querySelector(s);
  let busy = false;
  const send = async (path, json, error, field) => {
    if (busy) return;
    busy = true;
    error.textContent = "";
    field?.removeAttribute("aria-invalid");
    try {
      const { data } = await request("POST", `/api/audits/${enc(audit.id)}/${path}`, { json });
      await done(data, json.decision || "void");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const named = (err.body.errors || []).map((e) => e.message).join("; ");
      error.textContent = err.status ? [err.detail || err.message, named].filter(Boolean).join(": ") : t("consoleOffline");
      if (named && field) field.setAttribute("aria-invalid", "true");
      (field || error).focus();
    } finally {
      busy = false;
    }
  };
  const comment = $("[data-comment]");
  const error = $("[data-review-error]");
  const approve = () => comment && send("review", { decision: "approve", comment: comment.value.trim() }, error, null);
  const returnIt = (submit = true) => {
    if (!comment) return;
    if (!comment.value.trim()) {
      if (submit) {
        error.textContent = t("needComment");
        comment.setAttribute("aria-invalid", "true");
      }
      return comment.focus();
    }
    return send("review", { decision: "return", comment: comment.value.trim() }, error, comment);
  };
  root.addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    if ("approve" in b.dataset) approve();
    if ("return" in b.dataset) returnIt();
    if ("void" in b.dataset) {
      const reason = $("[data-void-reason]");
      if (!reason.value.trim()) {
        $("[data-void-error]").textContent = t("needReason");
        reason.setAttribute("aria-invalid", "true");
        return reason.focus();
      }
      send("void", { reason: reason.value.trim() }, $("[data-void-error]"), reason);
    }
  });
  comment?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      returnIt();
    }
  });
  return { approve, returnIt: () => returnIt(false) };
}
