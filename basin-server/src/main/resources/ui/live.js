// Live rates for the streams and delivery pages: the server reports running totals (records,
// bytes); two readings a few seconds apart give a rate, and the last few minutes of rates are
// drawn as a small ECharts line.
import { el } from './ui.js';

const WINDOW_MS = 5 * 60 * 1000;

/**
 * A rate chart. add(totals) takes {name: running total} readings; the first reading only sets the
 * baseline. Returns {node, add, rates, dispose}; rates() is the latest {name: per second}.
 */
export function rateChart(id, series, unit) {
  const node = el('div', { id, class: 'rate-chart' });
  let chart = null;
  let previous = null;
  let latest = {};
  const points = Object.fromEntries(series.map((s) => [s, []]));

  function add(totals) {
    const now = Date.now();
    if (previous) {
      const seconds = (now - previous.at) / 1000;
      if (seconds > 0) {
        for (const s of series) {
          // a restarted server counts from zero again: no negative rate
          const rate = Math.max(0, ((totals[s] || 0) - (previous.totals[s] || 0)) / seconds);
          latest[s] = rate;
          points[s].push([now, Math.round(rate * 10) / 10]);
          while (points[s].length && points[s][0][0] < now - WINDOW_MS) points[s].shift();
        }
      }
    }
    previous = { at: now, totals };
    draw();
  }

  function draw() {
    if (!window.echarts || !node.isConnected) return;
    if (!chart) chart = echarts.init(node);
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 12, top: 24, bottom: 24 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: { trigger: 'axis' },
      // the last five minutes, whatever the number of readings so far
      xAxis: { type: 'time', min: Date.now() - WINDOW_MS, max: Date.now() },
      yAxis: { type: 'value', name: unit, nameTextStyle: { fontSize: 11 } },
      series: series.map((s) => ({ name: s, type: 'line', showSymbol: points[s].length < 2, data: points[s] })),
    });
  }

  return {
    node,
    add,
    rates: () => latest,
    dispose: () => {
      if (chart) chart.dispose();
      chart = null;
    },
  };
}

/** "1.2 k/s"-style text for a rate. */
export function perSecond(value, suffix = '/s') {
  if (value === undefined || value === null) return '—';
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} M${suffix}`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k${suffix}`;
  return `${value.toFixed(1)} ${suffix.trim()}`;
}

/** "850 ms" / "12.3 s" / "4.0 min" for a lag in milliseconds. */
export function lag(ms) {
  if (ms === undefined || ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
