import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CSV_COLUMNS, csvField, csvRow } from './csv-row.js';
import { escapeHtml } from '../reports/render-report-html.js';

describe('csv and html escaping', () => {
  it('quotes fields with commas, quotes and newlines only', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('l1\nl2'), '"l1\nl2"');
    assert.equal(csvField(undefined), '');
    assert.equal(csvRow({ auditID: 'x' }).split(',').length, CSV_COLUMNS.length);
  });
  it('neutralises spreadsheet formulas in text cells (leading quote), leaving numbers alone', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) assert.ok(csvField(`${start}1+1`).replace(/^"/, '').startsWith(`'${start}`), JSON.stringify(start));
    assert.equal(csvField('=HYPERLINK("https://x","y")'), '"\'=HYPERLINK(""https://x"",""y"")"');
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(-5), '-5');
    assert.equal(csvField('a=b'), 'a=b');
    assert.equal(csvRow({ auditID: 'x', userAgent: '=cmd|\'/c calc\'!A0' }).split(',')[19], "'=cmd|'/c calc'!A0");
  });
  it('escapes every HTML metacharacter', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&\``), '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;');
  });
});
