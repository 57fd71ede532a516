// What offline search compares: the roster's `search` text is lower-case katakana and latin, so the query
// is folded the same way (full-width to half-width latin, ひらがな to カタカナ).
export function fold(text) {
  return text.normalize("NFKC").toLowerCase()
    .replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

export function matches(searchText, query) {
  const haystack = fold(searchText || "");
  const words = fold(query).split(/\s+/).filter(Boolean);
  return words.length > 0 && words.every((word) => haystack.includes(word));
}
