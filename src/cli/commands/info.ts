import type { Command } from 'commander';
import { activeIsa, addonOrigin, detectedIsa } from '../../kernels/addon';
import { getBackend } from '../../catalyzer/backend';

/** `spreadvec info`: what this machine runs (SIMD level, the addon's binary, the catalyzer's encoder and why). */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the active SIMD kernels, where the addon comes from, and which encoder the catalyzer uses and why')
    .action(async () => {
      const origin = addonOrigin();
      const lines = [
        `isa=${activeIsa()}`,
        `isa_detected=${detectedIsa()}`,
        `addon=${origin.prebuilt ? 'prebuilt' : 'local build'} ${origin.path}`,
      ];
      // The encoder the catalyzer would use here (SPREADVEC_BACKEND honoured).
      const backend = await getBackend();
      lines.push(`encoder=${backend.name}`, `encoder_why=${backend.reason}`);
      for (const line of lines) process.stdout.write(line + '\n');
    });
}
