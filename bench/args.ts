// The benches' command-line options: `--name value`.

/** The value after `--name` on the command line, or undefined. */
export const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
