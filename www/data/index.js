// The page's shipped data, each file fetched once: presets.json (every panel's presets),
// vocabulary.json (the analogy word lists) and topics.json (the ROI task), all in this folder.
// The native tests and the reference scripts read the same files.
const loaded = new Map();

/** The parsed JSON of `path`, relative to this folder ('presets.json'). */
export function loadData(path) {
  if (!loaded.has(path)) {
    const url = new URL(path, import.meta.url);
    loaded.set(
      path,
      fetch(url).then((response) => {
        if (!response.ok) throw new Error(`Could not read ${url.pathname} (HTTP ${response.status}).`);
        return response.json();
      }),
    );
  }
  return loaded.get(path);
}
