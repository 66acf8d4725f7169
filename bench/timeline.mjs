// Draws the failover timelines the bench recorded (router death, one panel
// per daemon) as one SVG: each router's adverts, who holds the VIP, the
// GARPs, and every reply the client got, with its longest gap marked.
const W = 960;
const LEFT = 120;
const RIGHT = 20;
const LANE = 22;
const LANES = ["adverts A", "adverts B", "VIP on A", "VIP on B", "GARP", "client replies"];
const PANEL = 40 + LANES.length * LANE + 34;
const COLOR = { a: "#1f77b4", b: "#ff7f0e" };
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

function panel(tl, y0) {
  const t0 = tl.fault;
  const span = tl.to - tl.from;
  const x = (t) => LEFT + ((t - tl.from) / span) * (W - LEFT - RIGHT);
  const lane = (i) => y0 + 30 + i * LANE;
  const out = [`<text x="10" y="${y0 + 18}" font-weight="bold">${esc(tl.impl)} (VRRP${tl.profile}, ${tl.profile === "v3" ? "100 ms" : "1 s"} adverts): router A's switch port goes down at 0 ms</text>`];
  LANES.forEach((name, i) => {
    out.push(`<text x="10" y="${lane(i) + 14}">${name}</text>`,
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${lane(i) + LANE - 2}" y2="${lane(i) + LANE - 2}" stroke="#eee"/>`);
  });
  const step = span <= 2500 ? 100 : span <= 8000 ? 500 : 1000;
  for (let ms = Math.ceil((tl.from - t0) / step) * step; ms <= tl.to - t0; ms += step) {
    out.push(`<line x1="${x(t0 + ms)}" x2="${x(t0 + ms)}" y1="${lane(0)}" y2="${lane(LANES.length)}" stroke="#f4f4f4"/>`,
      `<text x="${x(t0 + ms)}" y="${lane(LANES.length) + 14}" text-anchor="middle" font-size="10">${ms}</text>`);
  }
  out.push(`<line x1="${x(t0)}" x2="${x(t0)}" y1="${lane(0) - 4}" y2="${lane(LANES.length)}" stroke="red" stroke-dasharray="4 3"/>`);

  const holds = { ...tl.holdersAtStart };
  const since = { a: tl.from, b: tl.from };
  const bar = (r, end) => {
    if (holds[r]) out.push(`<rect x="${x(since[r])}" y="${lane(r === "a" ? 2 : 3) + 4}" width="${Math.max(1, x(end) - x(since[r]))}" height="${LANE - 10}" fill="${COLOR[r]}" opacity="0.6"/>`);
  };
  const replies = [];
  for (const e of tl.events) {
    if (e.kind === "advert") {
      const i = e.router === "a" ? 0 : 1;
      out.push(`<line x1="${x(e.t)}" x2="${x(e.t)}" y1="${lane(i) + 3}" y2="${lane(i) + LANE - 4}" stroke="${e.prio === 0 ? "red" : COLOR[e.router]}" stroke-width="2"><title>advert prio ${e.prio}</title></line>`);
    } else if (e.kind === "garp") {
      const cx = x(e.t);
      out.push(`<path d="M${cx - 4},${lane(4) + LANE - 5} L${cx},${lane(4) + 4} L${cx + 4},${lane(4) + LANE - 5} Z" fill="${COLOR[e.router] ?? "#999"}"/>`);
    } else if (e.kind === "echo-reply") {
      replies.push(e);
      out.push(`<line x1="${x(e.t)}" x2="${x(e.t)}" y1="${lane(5) + 5}" y2="${lane(5) + LANE - 5}" stroke="${COLOR[e.router] ?? "#999"}"/>`);
    } else if (e.src === "vip") {
      bar(e.router, e.t);
      holds[e.router] = e.kind === "vip-add";
      since[e.router] = e.t;
    }
  }
  bar("a", tl.to);
  bar("b", tl.to);
  let gap = null;
  for (let i = 1; i < replies.length; i++) {
    const g = replies[i].t - replies[i - 1].t;
    if (!gap || g > gap.ms) gap = { ms: g, from: replies[i - 1].t, to: replies[i].t };
  }
  if (gap) {
    out.push(`<rect x="${x(gap.from)}" y="${lane(5) + 2}" width="${x(gap.to) - x(gap.from)}" height="${LANE - 4}" fill="red" opacity="0.15"/>`,
      `<text x="${(x(gap.from) + x(gap.to)) / 2}" y="${lane(5) + 15}" text-anchor="middle" font-size="11">client outage ${Math.round(gap.ms)} ms</text>`);
  }
  out.push(`<text x="${W - RIGHT}" y="${lane(LANES.length) + 28}" text-anchor="end" font-size="10">ms from the fault; blue = router A, orange = router B, red tick = priority-0 advert</text>`);
  return out.join("\n");
}

/** The SVG for a list of timeline records. */
export function svg(timelines) {
  const h = timelines.length * PANEL + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${timelines.map((tl, i) => panel(tl, 5 + i * PANEL)).join("\n")}
</svg>
`;
}
