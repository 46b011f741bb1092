import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

import type { CommandIo } from './command';

/** More than any password bcrypt can use (72 bytes); what is beyond it is not read. */
const STDIN_LIMIT_BYTES = 4096;

/**
 * A password from the operator, never from the command line (where `ps` and the shell history would
 * keep it): asked for twice, without echo, on a terminal; otherwise the first line of standard input
 * (`printf '%s\n' "$PASSWORD" | npm run users:create -- alice`).
 */
export async function readPassword(io: CommandIo): Promise<string> {
  if (io.stdin.isTTY) {
    const password = await askWithoutEcho(io, 'Password: ');
    if ((await askWithoutEcho(io, 'Repeat it: ')) !== password) throw new Error('The two passwords differ.');
    return password;
  }
  const password = (await firstLine(io.stdin)) ?? '';
  if (password === '') throw new Error('No password on standard input: give it as the first line.');
  return password;
}

async function askWithoutEcho(io: CommandIo, prompt: string): Promise<string> {
  // readline reads the line (and its editing keys) with the terminal in raw mode, which turns the
  // terminal's own echo off; what readline itself would echo goes nowhere. Prompt only once it is on.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: io.stdin, output: silent, terminal: true });
  io.stderr.write(prompt);
  try {
    return await new Promise<string>((resolve, reject) => {
      reader.once('close', () => reject(new Error('No password given.')));
      // Ctrl-C in raw mode reaches readline, not the process: give up the prompt.
      reader.once('SIGINT', () => reader.close());
      reader.question('', resolve);
    });
  } finally {
    reader.removeAllListeners('close');
    reader.close();
    io.stderr.write('\n');
  }
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string | null> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end).replace(/\r$/, '');
    if (text.length > STDIN_LIMIT_BYTES) break;
  }
  return text === '' ? null : text.replace(/\r$/, '');
}
