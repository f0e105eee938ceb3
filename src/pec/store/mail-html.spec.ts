import { sanitiseMailHtml } from './mail-html.js';

const clean = (html: string) => sanitiseMailHtml(html, 'immagine esterna bloccata');

describe('sanitiseMailHtml', () => {
  it('drops scripts, event handlers, styles, frames and forms, keeping the text', () => {
    const out = clean(
      '<p onclick="x()" style="color:red">Testo <b>importante</b></p><script>alert(1)</script><style>p{}</style>' +
        '<iframe src="https://e.test"></iframe><form action="https://e.test"><input name="a"></form><svg onload="alert(2)"></svg>',
    );
    expect(out).toBe('<p>Testo <b>importante</b></p>');
  });

  it('blocks remote images (shown as their alt text) and keeps the message’s own data: images', () => {
    expect(clean('<img src="https://tracker.test/p.gif" alt="logo">')).toBe('<span class="mail-blocked-image">[logo]</span>');
    expect(clean('<img src="//tracker.test/p.gif">')).toBe('<span class="mail-blocked-image">[immagine esterna bloccata]</span>');
    expect(clean('<img src="cid:part1@x" onerror="alert(1)">')).toBe('<span class="mail-blocked-image">[immagine esterna bloccata]</span>');
    expect(clean('<img src="data:image/png;base64,AAAA" onerror="alert(1)">')).toBe('<img src="data:image/png;base64,AAAA" alt="" />');
  });

  it('shows the message’s own cid: images from the URL it is given, keeping unknown ones blocked', () => {
    const inline = new Map([['logo.1@esempio.test', '/pec/messages/m1/attachments/0']]);
    expect(sanitiseMailHtml('<img src="cid:Logo.1%40esempio.test" alt="logo">', 'bloccata', inline)).toBe(
      '<img src="/pec/messages/m1/attachments/0" alt="logo" />',
    );
    expect(sanitiseMailHtml('<img src="cid:altro@esempio.test">', 'bloccata', inline)).toBe(
      '<span class="mail-blocked-image">[bloccata]</span>',
    );
    expect(sanitiseMailHtml('<img src="http://tracker.test/p.gif">', 'bloccata', inline)).toBe(
      '<span class="mail-blocked-image">[bloccata]</span>',
    );
  });

  it('keeps web and mail links, opened apart with no referrer; drops javascript: links', () => {
    expect(clean('<a href="https://esempio.test/a">a</a>')).toBe(
      '<a href="https://esempio.test/a" rel="noopener noreferrer nofollow" target="_blank">a</a>',
    );
    expect(clean('<a href="javascript:alert(1)">b</a>')).toBe('<a rel="noopener noreferrer nofollow" target="_blank">b</a>');
    expect(clean('<a href="mailto:ufficio@pec.demo.test">c</a>')).toContain('href="mailto:ufficio@pec.demo.test"');
  });

  it('turns headings into paragraphs so the message cannot disturb the page outline', () => {
    expect(clean('<h1>Oggetto</h1><h3>Sezione</h3>')).toBe('<p>Oggetto</p><p>Sezione</p>');
  });
});
