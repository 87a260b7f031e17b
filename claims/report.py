"""The self-contained HTML report of a verify run (matplotlib, images embedded as base64).

One section per claim: its verdict and counts (agree / undecided / counterexamples /
implementation errors), statement, kind, reference, setting, algorithm, tolerance and its
derivation; the distribution of the per-instance disagreement against the tolerance (failing
instances drawn on top, non-finite ones counted in the caption, a log axis only where every
value is positive); the starting disagreement beside the final one (informative instances
start far from the answer); the claim's characteristic curves against the step (median and
10-90% band, with the predicted rate or limit drawn in); and the claim's own figure if it has
one (spectra, fitted functions, ...).
"""

from __future__ import annotations

import base64
import html as _html
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from matplotlib import ticker
from matplotlib.figure import Figure

__all__ = ["html", "claim_figure", "figure_distribution", "figure_start", "figure_curves",
           "section_figures", "Renderer"]


def _log_axes(fig) -> None:
    """Log axes labelled in plain text (1e-08), not mathtext ($10^{-8}$: parsed per label),
    with a bounded number of ticks: measured 0.19 -> 0.11 s per figure for the labels."""
    for ax in fig.axes:
        for axis, most in ((ax.xaxis, 5), (ax.yaxis, 7)):
            if axis.get_scale() == "log":
                # a few labelled decades (x labels are wider) and no minor ticks over a wide
                # range: the minor ticks of 20 decades are 180 tick objects, most of a
                # figure's time
                axis.set_major_locator(ticker.LogLocator(numticks=most))
                axis.set_major_formatter(ticker.LogFormatter(labelOnlyBase=True))
                lo, hi = sorted(axis.get_view_interval())
                if lo > 0 and hi / lo > 1e3:
                    axis.set_minor_locator(ticker.NullLocator())
                axis.set_minor_formatter(ticker.NullFormatter())


def _png(fig, dpi: int = 100) -> str:
    _log_axes(fig)
    # fixed margins, not tight_layout: a layout pass draws every tick label once more
    # (measured 0.21 s of the 0.42 s each figure took in a default verify)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.86, wspace=0.32)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(data: str, cls: str) -> str:
    return f'<img class="{cls}" alt="{cls} plot" src="data:image/png;base64,{data}">'


def claim_figure(claim, instances, seed) -> str | None:
    """The claim's own figure for a batch, as base64 PNG (None if it has none)."""
    if claim.figure is None:
        return None
    fig = Figure(figsize=(12, 3.2))
    claim.figure(instances, seed, fig)
    fig.suptitle(claim.name, fontsize=9)
    return _png(fig)


def figure_distribution(r):
    """Per-instance disagreement (sorted) against the tolerance; beside it, where the claim
    records one, the disagreement at the start of training against at the end (an
    informative instance starts far from the answer). One figure: one layout, one PNG."""
    v = r.values()
    status = np.array([row["status"] for row in r.rows])
    order = np.argsort(np.where(np.isfinite(v), v, np.inf), kind="stable")
    v, status = v[order], status[order]
    fin = np.isfinite(v)
    x = np.arange(v.size)
    tol = r.claim.tolerance
    with_start = bool(np.isfinite(r.values("start")).any())
    if with_start:
        fig = Figure(figsize=(9.6, 2.8))
        ax, ax_start = fig.subplots(1, 2, gridspec_kw={"width_ratios": [16, 7]})
        _draw_start(r, ax_start)
    else:
        fig = Figure(figsize=(6.4, 2.8))
        ax = fig.subplots()
    styles = {"agree": ("tab:green", "o", 10), "optimization failure": ("tab:orange", "s", 12),
              "counterexample": ("tab:red", "x", 30), "implementation error": ("purple", "D", 30)}
    for st_, (color, marker, size) in styles.items():  # failures last: drawn on top
        sel = fin & (status == st_)
        if sel.any():
            ax.scatter(x[sel], v[sel], s=size, color=color, marker=marker,
                       label=f"{st_} ({int(sel.sum())})", zorder=3 if st_ != "agree" else 2)
    if tol > 0:
        ax.axhline(tol, color="k", ls="--", lw=1, label=f"tolerance {tol:g}")
    pos = v[fin]
    if pos.size and np.all(pos > 0) and (tol == 0 or tol > 0):
        lo = min(pos.min(), tol if tol > 0 else pos.min())
        hi = max(pos.max(), tol)
        ax.set_yscale("log")
        ax.set_ylim(lo / 3, hi * 3)
    elif pos.size and (pos.max() - pos.min()) > 0:
        span = pos.max() - pos.min()
        ax.set_ylim(min(pos.min(), 0) - 0.05 * span, max(pos.max(), tol) + 0.05 * span)
    nonfin = int((~fin).sum())
    ax.set_xlabel("instance (sorted by disagreement)"
                  + (f"; {nonfin} non-finite not drawn" if nonfin else ""))
    ax.set_ylabel(r.claim.metric, fontsize=7)
    ax.set_title(r.claim.name, fontsize=9)
    ax.legend(fontsize=6, loc="best", framealpha=0.6)
    return fig


def figure_start(r):
    """Disagreement at the start of training against at the end, per instance (alone; the
    report draws it beside the distribution, :func:`figure_distribution`)."""
    fig = Figure(figsize=(3.6, 2.8))
    ax = fig.subplots()
    _draw_start(r, ax)
    return fig


def _draw_start(r, ax) -> None:
    s, v = r.values("start"), r.values()
    ok = np.isfinite(s) & np.isfinite(v)
    ax.scatter(s[ok], v[ok], s=10)
    if ok.any() and np.all(s[ok] > 0) and np.all(v[ok] > 0):
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("at the start", fontsize=8)
    ax.set_ylabel("at the end", fontsize=8)
    ax.set_title("informativeness", fontsize=9)


def figure_curves(r):
    """Median and 10-90% band of each recorded series against t, with the predicted rate
    (c·t^p through the median at mid-range) or limit."""
    series = [row.get("series") or {} for row in r.rows]
    series = [s for s in series if s.get("t")]
    if not series:
        return None
    plot = r.claim.plot
    t = np.asarray(series[0]["t"], dtype=float)
    names = [k for k in series[0] if k != "t"]
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    positive = True
    for name in names:
        V = np.array([s[name] for s in series if len(s.get(name, [])) == t.size], dtype=float)
        keep = t > 0
        tt, V = t[keep], V[:, keep]
        med = np.nanmedian(V, axis=0)
        line, = ax.plot(tt, med, label=f"{name}: median of {len(V)}")
        ax.fill_between(tt, np.nanquantile(V, 0.1, axis=0), np.nanquantile(V, 0.9, axis=0),
                        alpha=0.2, color=line.get_color())
        positive &= bool(np.all(V[np.isfinite(V)] > 0))
        rate = plot.get("rate")
        if rate is not None and np.isfinite(med).any():
            j = len(tt) // 2
            if np.isfinite(med[j]) and med[j] > 0:
                ax.plot(tt[j:], med[j] * (tt[j:] / tt[j]) ** rate, ":", color="k", lw=1.2,
                        label=f"predicted rate t^({rate:.3g})")
    ax.set_xscale("log")
    if "target" in plot:
        ax.axhline(plot["target"], color="k", ls=":", lw=1,
                   label=f"predicted limit {plot['target']:g}")
    elif positive:
        ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel(plot.get("ylabel", ""), fontsize=8)
    ax.legend(fontsize=6)
    ax.set_title(r.claim.name, fontsize=9)
    return fig


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px}
.PASS{color:#176a1c;font-weight:bold}.FAIL{color:#b00020;font-weight:bold}
.INCONCLUSIVE{color:#a05a00;font-weight:bold}
section.claim{border-top:1px solid #ddd;margin-top:1.5em;padding-top:.5em}
img{max-width:100%;display:inline-block;margin:.3em 0}code{font-size:12px}
.small{font-size:12px;color:#444}
"""


#: a browser records on <body> how many images decoded and how many claim sections exist
#: (read back by the tests through a headless browser's DOM; nothing is fetched)
_SELF_CHECK = ("<script>window.addEventListener('load',function(){var im=document.images,"
               "ok=0;for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)"
               "ok++;}var b=document.body;b.setAttribute('data-images',im.length);"
               "b.setAttribute('data-decoded',ok);b.setAttribute('data-sections',"
               "document.querySelectorAll('section.claim').length);});</script>")


def _time(r) -> str:
    """The claim's own time, or that it reads a training run shared with its group."""
    if r.seconds < 0.05 and r.claim.group:
        return f"measured on the training run shared by the group '{r.claim.group}'"
    return f"{r.seconds:.1f} s"


def _verdict_class(v: str) -> str:
    return v.split(" ")[0]


def section_figures(r) -> list[str]:
    """The ``<img>`` tags of a claim's section: its distribution, its characteristic curves
    (if it records series) and its own figure (if it has one)."""
    figs = [_img(_png(figure_distribution(r)), "distribution")]
    curves = figure_curves(r)
    if curves is not None:
        figs.append(_img(_png(curves), "characteristic"))
    if r.figure:
        figs.append(_img(r.figure, "characteristic"))
    return figs


class Renderer:
    """Draws the report's figures in one background thread while the next theorem trains.

    Drawing is most of the report's time (about 0.1 s per figure, 70 figures in a default
    verify), and training mostly waits on XLA, which releases the GIL: a figure drawn then is
    nearly free. Figures depend only on a claim's rows, so drawing them as soon as a theorem's
    batches are all measured gives the same report. Matplotlib is used through
    :class:`~matplotlib.figure.Figure` objects only (no pyplot state); its font cache is per
    thread.
    """

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report")
        self._futures: dict = {}

    def submit(self, results) -> None:
        """Start drawing the sections of ``results`` (ClaimResults, complete)."""
        for r in results:
            self._futures[r.claim.name] = self._pool.submit(section_figures, r)

    def figures(self) -> dict[str, list[str]]:
        """Wait for every section submitted: {claim name: img tags}."""
        out = {name: f.result() for name, f in self._futures.items()}
        self._pool.shutdown()
        return out

    def cancel(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def html(results, path: Path, *, meta: dict | None = None,
         figures: dict[str, list[str]] | None = None) -> Path:
    """Write the self-contained report: a summary table, then one section per claim.
    ``figures``: sections already drawn (:class:`Renderer`), by claim name."""
    figures = figures or {}
    meta = meta or {}
    esc = _html.escape
    fmt = lambda v: "-" if v is None else f"{v:.2e}"  # noqa: E731
    rows, sections = [], []
    for i, r in enumerate(results):
        s = r.summary()
        c = s["counts"]
        vc = _verdict_class(s["verdict"])
        rows.append(
            f"<tr><td>{esc(s['theorem'])}</td><td><a href='#c{i}'>{esc(s['claim'])}</a></td>"
            f"<td>{esc(s['kind'])}{' (trend)' if s['trend'] else ''}</td>"
            f"<td>{s['instances']}</td><td>{c['agree']}</td><td>{c['optimization failure']}</td>"
            f"<td>{c['counterexample']}</td><td>{c['implementation error']}</td>"
            f"<td>{fmt(s['start_median'])}</td><td>{fmt(s['median'])}</td>"
            f"<td>{fmt(s['worst'])}</td><td>{s['tolerance']:.0e}</td>"
            f"<td class='{vc}'>{esc(s['verdict'])}</td></tr>")
        figs = figures.get(r.claim.name) or section_figures(r)
        undecided = [row["reason"] for row in r.rows if row["status"] == "optimization failure"]
        bad = [row["reason"] for row in r.rows
               if row["status"] in ("counterexample", "implementation error")]
        notes = ""
        if bad:
            notes += "<p><b>Failures</b> (first 3):</p><ul>" + "".join(
                f"<li>{esc(x)}</li>" for x in bad[:3]) + "</ul>"
        if undecided:
            notes += (f"<p class='small'><b>{len(undecided)} undecided</b> (first: "
                      f"{esc(undecided[0])})</p>")
        sections.append(
            f"<section class='claim' id='c{i}' data-claim='{esc(s['claim'])}'>"
            f"<h3>{esc(s['claim'])}: {esc(s['statement'])} "
            f"<span class='{vc}'>{esc(s['verdict'])}</span></h3>"
            f"<p><b>{esc(s['kind'])}</b>{' (only a trend is checked)' if s['trend'] else ''}; "
            f"{esc(s['reference'])}.</p>"
            f"<p class='small'>Setting: {esc(s['setting'])}. Algorithm: {esc(s['algorithm'])}."
            f"</p><p class='small'>Metric <code>{esc(s['metric'])}</code> &le; "
            f"{s['tolerance']:g}: {esc(s['derivation'])}.</p>"
            f"<p>{s['instances']} instances: {c['agree']} agree, {c['optimization failure']} "
            f"undecided, {c['counterexample']} counterexamples, {c['implementation error']} "
            f"implementation errors; {s['non_finite']} non-finite. Median {fmt(s['median'])} "
            f"(at the start {fmt(s['start_median'])}), worst {fmt(s['worst'])}; "
            f"{_time(r)}.</p>{notes}" + "".join(figs) + "</section>")
    n_pass = sum(r.passed for r in results)
    vers = ", ".join(f"{k} {v}" for k, v in (meta.get("versions") or {}).items() if v)
    state = "" if meta.get("complete", True) else " (INCOMPLETE: interrupted run)"
    secs = meta.get("seconds_per_theorem") or {}
    per = ", ".join(f"{k} {v:.1f} s" for k, v in secs.items())
    doc = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>implicit-bias verify"
           f"</title><style>{_CSS}</style></head><body><h1>implicit-bias verify{state}</h1>"
           f"<p>{n_pass} of {len(results)} claims pass. Seed {meta.get('seed')}, "
           f"{meta.get('instances')} instances per claim (batches of {meta.get('chunk')}). "
           f"Time per theorem: {esc(per)}.</p>"
           "<p class='small'>Verdicts: FAIL if any instance is a counterexample or an "
           "implementation error; PASS if every instance agrees; PASS (k undecided) if the "
           "others are optimization failures (the run itself showed it had not converged, or "
           "sat above a claimed global minimum of a non-convex problem) and at least a quarter "
           "agree; INCONCLUSIVE if fewer agree (no evidence either way).</p>"
           f"<p class='small'>{esc(vers)}</p><table><tr><th>theorem</th><th>claim</th>"
           "<th>kind</th><th>n</th><th>agree</th><th>undecided</th><th>cex</th><th>err</th>"
           "<th>start</th><th>median</th><th>worst</th><th>tol</th><th>verdict</th></tr>"
           f"{''.join(rows)}</table>{''.join(sections)}{_SELF_CHECK}</body></html>\n")
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    tmp.write_text(doc)
    tmp.replace(path)
    return Path(path)
