const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The name with every case-insensitive occurrence of the keyword wrapped in <em>; undefined when there is none. */
export function highlight(name: string, keyword: string): string | undefined {
  let found = false;
  const marked = name.replace(new RegExp(escapeRegExp(keyword), "giu"), (match) => {
    found = true;
    return `<em>${match}</em>`;
  });
  return found ? marked : undefined;
}
