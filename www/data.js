// The page's shipped data files (www/presets.json, www/data/*.json), each fetched once.
const loaded = new Map();

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
