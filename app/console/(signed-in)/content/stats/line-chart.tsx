/** One series of a line chart: a value per x position, null where there is none (a gap). */
export type Series = { label: string; color: string; dash?: string; values: Array<number | null> };

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };

/**
 * A server-rendered SVG line chart, no client JavaScript: the same figures are in the table beside
 * it, so the chart is an image with a summary (role img) and the table is what assistive
 * technology reads.
 */
export function LineChart({
  title,
  xLabels,
  series,
  formatY,
}: {
  title: string;
  xLabels: string[];
  series: Series[];
  formatY: (value: number) => string;
}) {
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const top = max > 0 ? max : 1;
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (xLabels.length > 1 ? (i / (xLabels.length - 1)) * innerW : innerW / 2);
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const ticks = [0, 0.5, 1].map((f) => f * top);
  const every = Math.max(1, Math.ceil(xLabels.length / 6));
  return (
    <figure className="flex flex-col gap-2">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} className="h-auto w-full max-w-2xl">
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} stroke="#e2e8f0" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" fontSize="11" fill="#475569">
              {formatY(v)}
            </text>
          </g>
        ))}
        {xLabels.map((label, i) =>
          i % every === 0 || i === xLabels.length - 1 ? (
            <text
              key={label}
              x={x(i)}
              y={HEIGHT - 8}
              // The first and last labels sit at the plot's edges: anchored inwards, never clipped.
              textAnchor={i === 0 ? 'start' : i === xLabels.length - 1 ? 'end' : 'middle'}
              fontSize="11"
              fill="#475569"
            >
              {label}
            </text>
          ) : null,
        )}
        {series.map((s) => {
          // Consecutive points with values form one segment; a day without impressions breaks the line.
          const segments: string[] = [];
          let current: string[] = [];
          s.values.forEach((v, i) => {
            if (v === null) {
              if (current.length) segments.push(current.join(' '));
              current = [];
            } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
          });
          if (current.length) segments.push(current.join(' '));
          return (
            <g key={s.label}>
              {segments.map((points) =>
                points.includes(' ') ? (
                  <polyline
                    key={points}
                    points={points}
                    fill="none"
                    stroke={s.color}
                    strokeWidth="2"
                    strokeDasharray={s.dash}
                  />
                ) : (
                  <circle key={points} cx={points.split(',')[0]} cy={points.split(',')[1]} r="3" fill={s.color} />
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap gap-4 text-sm">
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-2">
            <svg width="24" height="8" aria-hidden="true">
              <line x1="0" x2="24" y1="4" y2="4" stroke={s.color} strokeWidth="2" strokeDasharray={s.dash} />
            </svg>
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
