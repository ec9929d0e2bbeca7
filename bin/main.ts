import { Command } from 'commander';
import { readFileSync, readdirSync } from 'node:fs';
import { fail, strict } from './cli';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('smallscope')
  .description('A microscope for very small models: train, probe, show and export conv + attention networks.')
  .version(pkg.version);

// Each subcommand lives in its own file under commands/ and exports register(program).
const dir = new URL('./commands/', import.meta.url);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const mod = (await import(new URL(file, dir).href)) as { register(p: Command): void };
  mod.register(program);
}

const strictAll = (c: Command): void => {
  strict(c);
  c.commands.forEach(strictAll);
};
strictAll(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
