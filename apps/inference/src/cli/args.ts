// Command-line flags of the CLI tools: `--name value` pairs and bare switches.
const args = process.argv.slice(2);

/** The value after `--name`, if given. */
export const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** Whether the bare switch `--name` is given. */
export const hasFlag = (name: string): boolean => args.includes(name);
