import sanitizeHtml from 'sanitize-html';

/** What a blocked remote image becomes: a visible placeholder, so the reader knows something was left out. */
const BLOCKED_IMAGE_CLASS = 'mail-blocked-image';

/**
 * The HTML of a received message made safe to show inline in our page (decision 0019): no script,
 * no event handler, no style, no form or frame, no remote resource (an image from the sender's
 * server would tell the sender when and where the message was read). Links stay, opened in a new
 * tab with no referrer. Headings become paragraphs so the message cannot disturb the page's outline.
 * An image the message carries as a part of its own (`cid:`, RFC 2392) is shown from our download
 * route: `inline` maps the Content-ID (lowercased, without brackets) to that URL; a `cid:` it does
 * not know stays blocked like a remote image.
 */
export function sanitiseMailHtml(html: string, blockedImageText: string, inline: ReadonlyMap<string, string> = new Map()): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags.filter((tag) => !/^h[1-6]$/.test(tag)), 'img', 'span', 'font', 'center'],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'width', 'height'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      span: ['class'],
    },
    allowedClasses: { span: [BLOCKED_IMAGE_CLASS] },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    // Only images the message carries itself: data: URLs, and cid: parts the img transform below points at
    // our own download route (a relative URL); everything else is fetched from elsewhere.
    allowedSchemesByTag: { img: ['data'] },
    allowProtocolRelative: false,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
      img: (tagName, attribs): sanitizeHtml.Tag => {
        const src = /^data:image\//i.test(attribs.src ?? '') ? attribs.src : inline.get(contentIdOf(attribs.src) ?? '');
        return src
          ? { tagName, attribs: { ...attribs, src, alt: attribs.alt ?? '' } }
          : { tagName: 'span', attribs: { class: BLOCKED_IMAGE_CLASS }, text: `[${attribs.alt?.trim() || blockedImageText}]` };
      },
      ...Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((tag) => [tag, 'p'])),
    },
  });
}

/** The Content-ID a `cid:` URL names (RFC 2392: percent-encoded, no angle brackets), lowercased; undefined for any other URL. */
function contentIdOf(src: string | undefined): string | undefined {
  const match = /^cid:(.+)$/i.exec(src?.trim() ?? '');
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!).toLowerCase();
  } catch {
    return match[1]!.toLowerCase();
  }
}
