#!/usr/bin/env node
/**
 * The `spreadvec` command: one sub-command per module (src/cli/commands/*).
 * Conventions (src/cli/options.ts): `--size_base` and `--size-base` both work,
 * errors are one line on stderr with exit code 1 and no stack trace, progress
 * bars go to stderr.
 */
import { Command } from 'commander';
import { registerInfo } from './commands/info';
import { registerEval } from './commands/eval';
import { registerTrain } from './commands/train';
import { registerZn } from './commands/zn';
import { registerCrossvalidate } from './commands/crossvalidate';
import { registerVerify } from './commands/verify';
import { registerIndexCommands } from './commands/index-commands';
import { registerDemo } from './commands/demo';
import { normalizeArgv, oneLine } from './options';
import { packageInfo } from './package-info';

function fail(err: unknown): never {
  process.stderr.write(`spreadvec: ${oneLine(err)}\n`);
  process.exit(1);
}

// Whatever escapes (a worker's error, a late rejection) still ends as one line.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const program = new Command();
program
  .name('spreadvec')
  .description('Compact vector search with a catalyzer and a spherical Zn lattice')
  .version(packageInfo().version, '-V, --version', 'print the version')
  .configureOutput({
    // commander's own errors (unknown option, missing argument) in our one-line form.
    outputError: (str, write) => write(`spreadvec: ${str.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`),
  });

registerInfo(program);
registerEval(program);
registerTrain(program);
registerZn(program);
registerCrossvalidate(program);
registerVerify(program);
registerIndexCommands(program);
registerDemo(program);
// The PQ benchmark needs devDependencies and bench/faiss_pq.py, which an install
// does not have: it runs from a source checkout only, and says so here.
program
  .command('bench', { hidden: true })
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .action(() => fail(new Error('bench is not part of the installed command; from a source checkout run: npx tsx bench/pq.ts [options]')));

program.parseAsync(normalizeArgv(process.argv)).catch(fail);
