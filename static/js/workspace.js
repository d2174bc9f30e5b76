// Committee workspace keys: j / k next and previous course, 1–9 accept candidate N, / search.
// Nothing happens while the user types in a field, or with a modifier key held.
(() => {
  const typing = (element) =>
    element && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));

  const follow = (selector) => {
    const link = document.querySelector(selector);
    if (link) link.click();
    return Boolean(link);
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    let handled = false;
    if (event.key === "j") handled = follow("[data-workspace-next]");
    else if (event.key === "k") handled = follow("[data-workspace-previous]");
    else if (event.key === "/") {
      const search = document.querySelector("[data-workspace-search]");
      if (search) {
        search.focus();
        search.select();
        handled = true;
      }
    } else if (/^[1-9]$/.test(event.key)) {
      handled = follow(`[data-candidate-rank="${event.key}"]`);
    }
    if (handled) event.preventDefault();
  });
})();
