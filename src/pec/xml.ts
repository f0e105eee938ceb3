import { DOMParser } from '@xmldom/xmldom';

/**
 * Lenient XML reading for daticert.xml and REM evidence: elements are matched by local name, so a
 * provider that adds a namespace (or a prefix, as the ETSI evidence does) reads the same.
 */
export function parseXml(bytes: Buffer): { root?: Element; wellFormed: boolean } {
  const errors: string[] = [];
  let root: Element | undefined;
  try {
    const parser = new DOMParser({
      errorHandler: {
        warning: () => undefined,
        error: (message: string) => void errors.push(message),
        fatalError: (message: string) => void errors.push(message),
      },
    });
    root = parser.parseFromString(decodeXml(bytes), 'text/xml').documentElement ?? undefined;
  } catch (error) {
    errors.push(String(error));
  }
  return { root, wellFormed: errors.length === 0 };
}

/** The encoding named in the XML declaration (latin1 family), UTF-8 otherwise; a BOM is dropped. */
function decodeXml(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1];
  return declared && /^(iso-8859-1|iso-8859-15|latin1|windows-1252|us-ascii)$/i.test(declared)
    ? bytes.toString('latin1')
    : bytes.toString('utf8');
}

export function localName(node: Node): string {
  return ((node as Element).localName ?? node.nodeName).toLowerCase();
}

/** Descendant elements with this local name, in document order (`deep = false`: children only). */
export function elements(parent: Element, name: string, deep = true): Element[] {
  const found: Element[] = [];
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 1) continue;
      if (localName(child) === name.toLowerCase()) found.push(child as Element);
      if (deep) walk(child);
    }
  };
  walk(parent);
  return found;
}

/** The trimmed text of the first such element, undefined when missing or empty. */
export function textOf(parent: Element | undefined, name: string, deep = true): string | undefined {
  const value = parent ? elements(parent, name, deep)[0]?.textContent?.trim() : undefined;
  return value ? value : undefined;
}
