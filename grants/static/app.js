// Small page behaviour, kept here rather than inline: the Content-Security-Policy lets pages
// run scripts from /static only.

// A <select data-autosubmit> sends its form as soon as another option is chosen.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});

// A form with data-confirm asks before it is sent (destructive actions: cancel, delete).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Narrative texts grow with what is typed. CSS `field-sizing: content` does it where the
// browser knows it; elsewhere a textarea[data-autogrow] takes the height of its text.
if (!CSS.supports("field-sizing", "content")) {
  const grow = (area) => {
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight + area.offsetHeight - area.clientHeight}px`;
  };
  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-autogrow]")) {
      grow(event.target);
    }
  });
  document.addEventListener("htmx:load", (event) => {
    event.target.querySelectorAll("textarea[data-autogrow]").forEach(grow);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("textarea[data-autogrow]").forEach(grow);
  });
}

// A form[data-warn-unsaved] asks before the page is left while one of its texts differs from
// what was saved (a textarea's defaultValue is the text as the server sent it), or while it is
// shown again after a refusal (data-unsaved). Sending that form itself is not leaving it.
let sendingUnsaved = null;
document.addEventListener("submit", (event) => {
  if (event.target.matches("form[data-warn-unsaved]") && !event.defaultPrevented) {
    sendingUnsaved = event.target;
  }
});
window.addEventListener("beforeunload", (event) => {
  const unsaved = [...document.querySelectorAll("form[data-warn-unsaved]")].some(
    (form) =>
      form !== sendingUnsaved &&
      (form.hasAttribute("data-unsaved") ||
        [...form.querySelectorAll("textarea")].some((area) => area.value !== area.defaultValue)),
  );
  if (unsaved) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// Report downloads: a link[data-busy] shows it is working until its file arrives. The link gets
// a random `download` mark; the server sends the file with the cookie grants_download=<mark>,
// which ends the busy state (checked every 250 ms; given up after a minute, e.g. on an error).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-busy]");
  if (!link) {
    return;
  }
  if (link.getAttribute("aria-busy") === "true") {
    event.preventDefault(); // already on its way: one render is enough
    return;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const mark = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  const url = new URL(link.href);
  url.searchParams.set("download", mark);
  link.href = url.href;
  const note = document.createElement("span");
  note.className = "busy-note";
  note.setAttribute("role", "status");
  note.textContent = link.dataset.busy;
  link.classList.add("busy");
  link.setAttribute("aria-busy", "true");
  link.after(note);
  const started = Date.now();
  const timer = setInterval(() => {
    const arrived = document.cookie.split("; ").includes(`grants_download=${mark}`);
    if (arrived || Date.now() - started > 60000) {
      clearInterval(timer);
      document.cookie = "grants_download=; Path=/; Max-Age=0; SameSite=Strict";
      link.classList.remove("busy");
      link.removeAttribute("aria-busy");
      note.remove();
    }
  }, 250);
});
