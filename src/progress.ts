/**
 * The progress callback shared by every long step (dataset splits, training,
 * evaluation). It lives at the root, beside validate.ts, so that data/ and eval/
 * need not import each other for it.
 */

/**
 * Progress of a long step: `task` names it (e.g. "encoding base"), `done` of
 * `total` units are finished. The CLI draws a bar on stderr from these calls.
 */
export type Progress = (task: string, done: number, total: number) => void;
