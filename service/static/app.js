// Draws the chart of a page: reads the form, fetches the page's endpoint, hands the rows to the page's renderer.
"use strict";
const palette = ["#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00", "#b82e2e", "#316395",
  "#994499", "#22aa99", "#aaaa11", "#6633cc", "#e67300", "#8b0707", "#651067", "#329262", "#5574a6", "#3b3eac"];
let chart = null;

function bar(labels, datasets, options = {}) { return { type: "bar", data: { labels, datasets }, options }; }
function line(labels, datasets, options = {}) { return { type: "line", data: { labels, datasets }, options }; }
function set(label, data, color) { return { label, data, backgroundColor: color, borderColor: color }; }

const renderers = {
  stacked(rows) {
    const years = [...new Set(rows.map(r => r.year))].sort((a, b) => a - b);
    const genres = [...new Set(rows.map(r => r.genre))].sort();
    const count = new Map(rows.map(r => [r.year + "|" + r.genre, r.movie_count]));
    const sets = genres.map((g, i) => set(g, years.map(y => count.get(y + "|" + g) || 0), palette[i % palette.length]));
    return bar(years, sets, { scales: { x: { stacked: true }, y: { stacked: true } } });
  },
  extremes(rows) {
    const sorted = [...rows].sort((a, b) => b.popularity - a.popularity);
    const colors = sorted.map(r => (r.kind === "top" ? "#2e9e44" : "#d0312d"));
    return bar(sorted.map(r => r.title), [{ label: "TMDB popularity", data: sorted.map(r => r.popularity), backgroundColor: colors }],
      { indexAxis: "y" });
  },
  rated(rows) {
    const key = rows.length && rows[0].vote_average !== undefined && new URLSearchParams(location.search).get("by") !== "movielens" ? "vote_average" : "mean_rating";
    return bar(rows.map(r => r.title), [set(key.replace("_", " "), rows.map(r => r[key] ?? r.mean_rating), "#3366cc")], { indexAxis: "y" });
  },
  genrepop(rows) {
    return bar(rows.map(r => r.genre), [set("ratings", rows.map(r => r.rating_count), "#3366cc"),
      { ...set("mean rating", rows.map(r => r.mean_rating), "#dc3912"), type: "line", yAxisID: "y1" }],
      { scales: { y1: { position: "right", min: 0, max: 5 } } });
  },
  boxoffice(data) {
    return bar(data.by_month.map(r => "month " + r.month), [set("total revenue", data.by_month.map(r => r.total_revenue), "#109618")]);
  },
  revenue(rows) {
    return bar(rows.map(r => r.genre), [set("constant dollars", rows.map(r => r.revenue_constant), "#3366cc"),
      set("nominal", rows.map(r => r.revenue), "#ff9900")]);
  },
  histogram(rows) {
    return bar(rows.map(r => r.bin_start + "-" + r.bin_end), [set("tracks", rows.map(r => r.track_count), "#3366cc")],
      { datasets: { bar: { barPercentage: 1, categoryPercentage: 1 } } });
  },
  songgenres(rows) { return bar(rows.map(r => r.genre), [set("mean popularity", rows.map(r => r.mean_popularity), "#990099")]); },
  months(rows) { return line(rows.map(r => r.month), [set("mean popularity", rows.map(r => r.mean_popularity), "#0099c6")]); },
  trends(rows) {
    return line(rows.map(r => r.year), [set("mean duration (s)", rows.map(r => r.mean_duration_s), "#3366cc"),
      { ...set("mean tempo (BPM)", rows.map(r => r.mean_tempo), "#dc3912"), yAxisID: "y1" }],
      { scales: { y1: { position: "right" } } });
  },
  toptracks(rows) {
    return bar(rows.map(r => r.track_name + " — " + r.artist), [set("popularity", rows.map(r => r.popularity), "#109618")], { indexAxis: "y" });
  },
  search(rows) { return bar(rows.map(r => r.title), [set("tempo (BPM)", rows.map(r => r.tempo), "#3366cc")]); },
  radar(rows) {
    // A missing value (null: e.g. Spotify gives no time signature) is not a zero: an axis no artist shown has is left
    // out, and an artist without a value on a shown axis gets a gap there, its label marked.
    const known = v => v !== null && v !== undefined;
    const axes = ["mean_energy", "mean_valence", "mean_danceability", "mean_tempo", "mean_duration_s", "mean_time_signature"]
      .filter(a => rows.some(r => known(r[a])));
    const max = Object.fromEntries(axes.map(a => [a, Math.max(...rows.filter(r => known(r[a])).map(r => r[a])) || 1]));
    const sets = rows.map((r, i) => ({ label: r.artist, data: axes.map(a => (known(r[a]) ? r[a] / max[a] : null)),
      borderColor: palette[i], backgroundColor: palette[i] + "33", spanGaps: false }));
    const labels = axes.map(a => a.replace("mean_", "") + (rows.every(r => known(r[a])) ? "" : " (no data for some)"));
    return { type: "radar", data: { labels, datasets: sets }, options: { scales: { r: { min: 0, max: 1 } } } };
  },
};

function table(rows) {
  const list = Array.isArray(rows) ? rows : Object.values(rows).flat();
  const el = document.getElementById("rows");
  el.replaceChildren();
  if (!list.length) return;
  const head = el.insertRow();
  Object.keys(list[0]).forEach(k => { const th = document.createElement("th"); th.textContent = k; head.appendChild(th); });
  list.slice(0, 50).forEach(r => { const tr = el.insertRow(); Object.values(r).forEach(v => { tr.insertCell().textContent = v ?? "no data"; }); });
}

async function defaultArtists() {
  const answer = await (await fetch("/api/songs/top-tracks?limit=50")).json();
  return [...new Set(answer.data.map(r => r.artist))].slice(0, 3).join("\n");
}

// The chat page sends the last statistics view along, so "of the genres in this chart" means these rows.
function remember(answer) {
  const rows = Array.isArray(answer.data) ? answer.data.slice(0, 30) : [];
  const title = document.querySelector("h1").textContent;
  sessionStorage.setItem("medialake.view", JSON.stringify({ title, route: answer.meta.route, rows }));
}

// A field of several values (a textarea, one per line) is sent as the parameter repeated: names may hold commas.
function query(form) {
  const pairs = [...new FormData(form)].flatMap(([k, v]) => (form.elements[k].tagName === "TEXTAREA" ? v.split("\n").map(line => [k, line.trim()]) : [[k, v]]));
  return pairs.filter(([, v]) => v !== "");
}

async function draw(form) {
  const status = document.getElementById("status");
  if (form.dataset.chart === "radar" && form.artist && !form.artist.value) form.artist.value = await defaultArtists();
  const params = new URLSearchParams(query(form));
  const response = await fetch(form.dataset.endpoint + "?" + params);
  const answer = await response.json();
  if (!response.ok) {
    status.textContent = answer.error.message;
    status.className = "error";
    return;
  }
  status.textContent = answer.meta.stale ? "Showing the last good answer: the warehouse is unavailable." : "";
  status.className = "";
  if (chart) chart.destroy();
  const config = renderers[form.dataset.chart](answer.data);
  config.options = { responsive: true, maintainAspectRatio: false, animation: false, ...config.options };
  chart = new Chart(document.getElementById("chart"), config);
  table(answer.data);
  remember(answer);
  window.medialakeChart = chart;
}

const form = document.getElementById("filters");
form.addEventListener("submit", e => { e.preventDefault(); draw(form); });
draw(form);
