import type { Command } from 'commander';
import { activeIsa, detectedIsa } from '../../kernels/addon';
import { getBackend } from '../../catalyzer/backend';

/** `spreadvec info`: what this machine runs (SIMD level, network backend). */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the active SIMD kernels and the TensorFlow.js backend')
    .action(async () => {
      const lines = [`isa=${activeIsa()}`, `isa_detected=${detectedIsa()}`];
      // The TensorFlow.js backend the catalyzer would use here (SPREADVEC_BACKEND honoured).
      lines.push(`backend=${(await getBackend()).name}`);
      for (const line of lines) process.stdout.write(line + '\n');
    });
}
