// The chat page: streams /api/chat/stream (picks, then text, then done) and renders /api/schedule. All text goes in via textContent.
const view = JSON.parse(sessionStorage.getItem("medialake.view") || "null");
const $ = id => document.getElementById(id);
$("view").textContent = view ? `Last chart: ${view.title} (${view.rows.length} rows)` : "No chart viewed yet in this tab.";

function item(title, detail, reason) {
  const li = document.createElement("li");
  const strong = document.createElement("strong");
  strong.textContent = title;
  li.append(strong, ` ${detail}`);
  const p = document.createElement("p");
  p.textContent = reason;
  li.append(p);
  return li;
}

function showError(answer) {
  $("status").textContent = answer.error ? answer.error.message : "Something went wrong.";
  $("status").className = "error";
}

function showSlots(slots) {
  $("slots").replaceChildren(...slots.map(slot => {
    const section = document.createElement("section");
    const h = document.createElement("h3");
    const minutes = Math.round(slot.filled_seconds / 60);
    h.textContent = `${slot.start}–${slot.end} · ${slot.mood}${slot.before ? " before " + slot.before : ""} · ${minutes} min`;
    const list = document.createElement("ol");
    list.append(...slot.songs.map(s => item(s.title, `by ${s.artist}`, `energy ${s.energy}, tempo ${Math.round(s.tempo)} BPM, ${Math.round(s.duration_s)} s`)));
    section.append(h, list);
    return section;
  }));
  window.medialakeSchedule = slots;
}

function onEvent(name, data) {
  if (name === "picks" && data.kind === "schedule") showSlots(data.slots);
  if (name === "picks" && data.picks) {
    $("picks").replaceChildren(...data.picks.map(p => item(p.title, p.artist ? `by ${p.artist}` : `(${p.year ?? "?"})`, p.reason)));
  }
  if (name === "text") $("text").textContent += data.delta;
  if (name === "done") {
    $("status").textContent = data.fallback ? `Offline picks: ${data.fallback}.` : `Answered ${data.mode === "llm" ? "by the model" : "offline"}.`;
    $("status").className = "";
    window.medialakeChat = data;
  }
}

async function ask(form) {
  $("picks").replaceChildren(); $("slots").replaceChildren(); $("text").textContent = ""; $("status").textContent = "Thinking…";
  const payload = { message: form.message.value, domain: form.domain.value };
  if (view && form.use_view.checked) payload.context = view;
  const response = await fetch("/api/chat/stream", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
  if (!response.ok) return showError(await response.json());
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const name = frame.match(/^event: (.*)$/m)[1];
      onEvent(name, JSON.parse(frame.match(/^data: (.*)$/m)[1]));
    }
  }
}

async function plan(form) {
  $("picks").replaceChildren(); $("text").textContent = ""; $("status").textContent = "Planning…";
  const payload = Object.fromEntries(new FormData(form));
  const response = await fetch("/api/schedule", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
  const answer = await response.json();
  if (!response.ok) return showError(answer);
  $("status").textContent = `${answer.data.slots.length} free slots filled.`; $("status").className = "";
  showSlots(answer.data.slots);
}

$("chat").addEventListener("submit", e => { e.preventDefault(); ask(e.target); });
$("schedule").addEventListener("submit", e => { e.preventDefault(); plan(e.target); });
