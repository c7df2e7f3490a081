// trunk's initializer hooks (data-initializer in index.html): the page shows what it is and
// how much of the module has arrived before the module runs, and says so if it cannot start.
// `total` is the module's uncompressed size, written into index.html at build time; the
// browser counts decompressed bytes too, so the two agree under gzip or brotli.
const MB = (bytes) => (bytes / 1e6).toFixed(1);

export default function loader() {
  const bar = document.getElementById("loading-bar");
  const text = document.getElementById("loading-text");
  return {
    onProgress: ({ current, total }) => {
      if (!bar?.isConnected) return; // the no-WebAssembly message stands
      if (total > 0) bar.value = Math.min(current / total, 1);
      text.textContent = total > 0
        ? `Downloading the playground: ${MB(current)} of ${MB(total)} MB`
        : `Downloading the playground: ${MB(current)} MB`;
    },
    onSuccess: () => document.getElementById("loading")?.remove(),
    onFailure: (error) => {
      if (typeof WebAssembly !== "object") return; // index.html already said why
      bar?.remove();
      text.className = "error";
      text.textContent = `The playground could not start: ${error}. ` +
        "It needs a browser with WebAssembly (a current Chrome, Edge, Firefox or Safari); reload to try again.";
    },
  };
}
