/**
 * Reads a password for `npm run ops:user`: from a terminal, prompted without echo; otherwise the
 * first line of standard input (for scripts: `printf '%s\n' "$PW" | npm run ops:user -- add ...`).
 */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";

export async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  let muted = false;
  // readline echoes what is typed through its output: muted while the password is typed.
  const output = new Writable({
    write(chunk, encoding, done) {
      if (!muted) process.stdout.write(chunk, encoding);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(prompt, (answer) => {
        process.stdout.write("\n");
        resolve(answer);
      });
      muted = true;
    });
  } finally {
    rl.close();
  }
}

let pendingLines: Promise<string[]> | null = null;

/** Lines of a piped standard input, read once (`add` and `passwd` read one; a check reads two). */
async function readFirstLine(): Promise<string> {
  pendingLines ??= new Promise((resolve) => {
    const lines: string[] = [];
    const rl = createInterface({ input: process.stdin, terminal: false });
    rl.on("line", (line) => lines.push(line));
    rl.on("close", () => resolve(lines));
  });
  const lines = await pendingLines;
  return lines.shift() ?? "";
}
