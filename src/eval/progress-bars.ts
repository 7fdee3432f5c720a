/**
 * Progress bars on stderr (cli-progress) from {@link Progress} calls: one bar per
 * task, replaced when the task changes, cleared when done. cli-progress draws
 * nothing when stderr is not a terminal, so logs and tests stay clean.
 */
import cliProgress from 'cli-progress';
import type { Progress } from '../progress';

/** A Progress that draws bars, plus `stop()` to clear the last one. */
export function progressBars(stream: NodeJS.WriteStream = process.stderr): Progress & { stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
    current = '';
  };
  const update = ((task: string, done: number, total: number) => {
    if (task !== current) {
      stop();
      current = task;
      bar = new cliProgress.SingleBar(
        { format: `${task} [{bar}] {percentage}% {value}/{total} {duration_formatted}`, stream, clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, done);
    } else {
      bar?.setTotal(total);
      bar?.update(done);
    }
    if (done >= total) stop();
  }) as Progress & { stop(): void };
  update.stop = stop;
  return update;
}
