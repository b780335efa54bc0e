import { describe, expect, it } from 'vitest';
import { StderrTail } from '../src/protocol/stderr-tail.js';

describe('StderrTail', () => {
  it('keeps the last lines across chunk boundaries, skipping blank ones', () => {
    const tail = new StderrTail(3);
    tail.push('one\ntw');
    tail.push('o\r\n\nthree\nfour');
    expect(tail.lines()).toEqual(['two', 'three', 'four']);
    expect(tail.toString()).toBe('two\nthree\nfour');
  });

  it('stays bounded when a child floods stderr, and cuts very long lines', () => {
    const tail = new StderrTail(20, 1000);
    for (let i = 0; i < 10_000; i++) tail.push(`line ${i}\n`);
    tail.push(`${'x'.repeat(600)}\n`);
    const lines = tail.lines();
    expect(lines.at(-2)).toBe('line 9999');
    expect(lines.at(-1)).toBe(`${'x'.repeat(500)}...`);
    expect(lines.length).toBeLessThanOrEqual(20);
    // The buffer is trimmed to maxChars once it exceeds twice that.
    expect((tail as unknown as { text: string }).text.length).toBeLessThanOrEqual(2000);
  });

  it('is empty for a silent child', () => {
    expect(new StderrTail().toString()).toBe('');
  });
});
