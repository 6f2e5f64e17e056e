// Two facts about a JSON text that JSON.parse hides: the keys of the top-level object with
// repeats (JSON.parse keeps only the last), and the nesting depth (a bound against hostile
// documents). Both assume the text already parsed as JSON.

function scan(json: string, onKey: (key: string) => void): number {
  let depth = 0, max = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        onKey(JSON.parse(json.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      max = Math.max(max, depth);
      if (depth === 1) expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return max;
}

/** The top-level object's keys in order, repeats included. */
export function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  scan(json, (k) => keys.push(k));
  return keys;
}

/** The deepest nesting of objects and arrays (a top-level object alone is 1). */
export function nestingDepth(json: string): number {
  return scan(json, () => {});
}
