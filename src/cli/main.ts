#!/usr/bin/env node
/** The `spreadvec` command: one sub-command per module (src/cli/commands/*). */
import { Command } from 'commander';
import { registerInfo } from './commands/info';
import { registerEval } from './commands/eval';
import { registerTrain } from './commands/train';
import { registerZn } from './commands/zn';
import { registerCrossvalidate } from './commands/crossvalidate';
import { registerBench } from './commands/bench';
import { registerVerify } from './commands/verify';

const program = new Command();
program.name('spreadvec').description('Compact vector search with a catalyzer and a spherical Zn lattice');

registerInfo(program);
registerEval(program);
registerTrain(program);
registerZn(program);
registerCrossvalidate(program);
registerBench(program);
registerVerify(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`spreadvec: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
