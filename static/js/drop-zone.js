// The upload's drop zone: a file dropped anywhere on it goes to its file input (the input alone
// takes a drop only on itself). Without JavaScript the input still works as it is.
document.querySelectorAll(".drop-zone").forEach((zone) => {
  const input = zone.querySelector('input[type="file"]');
  if (!input) return;
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
});
