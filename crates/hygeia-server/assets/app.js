// Hygeia dashboard: the only script. Every page works without it; it adds copy buttons and
// asks before irreversible actions.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.textContent.trim();
  const done = () => {
    const before = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = before; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => selectText(source));
  } else {
    selectText(source);
  }
});

function selectText(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// Copy buttons only make sense with this script: they are hidden until it runs.
document.documentElement.classList.add("js");

document.addEventListener("click", (event) => {
  if (event.target.closest("button[data-print]")) window.print();
});

// Mark the navigation link of the page being shown, for screen readers and at a glance.
for (const link of document.querySelectorAll("header nav a")) {
  if (link.pathname === window.location.pathname) link.setAttribute("aria-current", "page");
}

// The phone check page: an iPad's Safari says "Macintosh"; its touch screen tells it apart.
const touchPoints = document.getElementById("touch-points");
if (touchPoints) touchPoints.value = String(navigator.maxTouchPoints || 0);
