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
