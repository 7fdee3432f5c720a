/**
 * The recall-versus-time plot of the PQ benchmark, rendered to SVG by vega-lite +
 * vega in Node (no browser, no native dependency). Both packages are ESM-only and
 * devDependencies: they are imported dynamically, and only when a plot is asked for.
 */

/** One measured point: a method's time per query and its 1-recall at some rank. */
export interface RecallTimePoint {
  method: string;
  /** Milliseconds per query (batched search, or as the plot's x title says). */
  msPerQuery: number;
  /** 1-recall@rank in [0, 1]. */
  recall: number;
  /** Rank of the recall (1, 10, 100). */
  rank: number;
}

// A real dynamic import() that the CommonJS output of tsc keeps (it would otherwise
// become require(), which cannot load an ES module in Node 20).
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/**
 * Renders the points as an SVG scatter plot (log time axis, one colour per method, one
 * shape per rank). `xTitle` names what the time is (default: batched time per query).
 */
export async function recallTimeSvg(
  points: RecallTimePoint[], title: string, xTitle = 'time per query (ms, batched, log scale)',
): Promise<string> {
  const vegaLite = (await importEsm('vega-lite')) as { compile(spec: unknown): { spec: unknown } };
  const vega = (await importEsm('vega')) as {
    parse(spec: unknown): unknown;
    View: new (runtime: unknown, options: { renderer: string }) => { toSVG(): Promise<string>; finalize(): void };
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 320,
    background: 'white',
    data: { values: points.map((p) => ({ ...p, rankLabel: `1-R@${p.rank}` })) },
    layer: [
      {
        mark: { type: 'line', opacity: 0.35 },
        encoding: {
          x: { field: 'msPerQuery', type: 'quantitative', scale: { type: 'log' }, title: xTitle },
          y: { field: 'recall', type: 'quantitative', scale: { domain: [0, 1] }, title: '1-recall' },
          color: { field: 'method', type: 'nominal', title: 'method' },
          detail: { field: 'method' },
          order: { field: 'rank', type: 'quantitative' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x: { field: 'msPerQuery', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'recall', type: 'quantitative' },
          color: { field: 'method', type: 'nominal' },
          shape: { field: 'rankLabel', type: 'nominal', title: 'rank' },
          tooltip: [{ field: 'method' }, { field: 'rankLabel' }, { field: 'recall' }, { field: 'msPerQuery' }],
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
