"""Plots and the self-contained HTML report of a verify run.

One section per claim: its verdict, the distribution of the per-instance disagreement against
the tolerance (always), and the claim's characteristic plot where it has one (direction error
or t·L(t) against t on log axes with the predicted rate or limit drawn in; |β̂| spectra of
trained convnets against the predictions per depth; trained ReLU fits against a minimal
interpolant). Images are embedded as base64 PNG, so the file stands alone.
"""

from __future__ import annotations

import base64
import html as _html
import io
from pathlib import Path

import numpy as np

__all__ = ["plot", "plot_spectra", "plot_fits", "html", "figure_curves", "figure_distribution",
           "figure_spectra", "figure_fits"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _draw_curves(ax, curves: dict, label_prefix: str = ""):
    """Median and 10-90% band of each series against t (log-log, or log-x for a target)."""
    t = np.asarray(curves["t"], dtype=float)[1:]
    series = curves["series"]
    names = list(series)
    target = curves.get("target")
    # instances already exactly on the prediction have nothing to show on log axes; the
    # same instances are kept for a trained curve and its prediction
    first = np.asarray(series[names[0]], dtype=float)[:, 1:]
    keep = np.ones(len(first), bool) if target is not None else np.nanmax(first, axis=1) > 1e-14
    anchor, drawn = None, 0
    for name in names:
        v = np.asarray(series[name], dtype=float)[:, 1:][keep]
        if not len(v):
            continue
        if target is None:
            v = np.maximum(v, 1e-18)
        med = np.nanmedian(v, axis=0)
        style = "--" if "predicted" in name else "-"
        line, = ax.plot(t, med, style, label=f"{label_prefix}{name}: median of {len(v)}")
        drawn += 1
        if "predicted" not in name:
            ax.fill_between(t, np.nanquantile(v, 0.1, axis=0), np.nanquantile(v, 0.9, axis=0),
                            alpha=0.15, color=line.get_color())
            anchor = anchor or (t, med, line.get_color())
    ax.set_xscale("log")
    if target is not None:
        ax.axhline(target, color="k", ls=":", lw=1, label=f"predicted limit {target:g}")
    else:
        ax.set_yscale("log")
    rate = curves.get("rate")
    if rate is not None and anchor is not None:
        tt, med, color = anchor
        j = len(tt) // 2
        if np.isfinite(med[j]) and med[j] > 1e-17:
            ax.plot(tt[j:], med[j] * (tt[j:] / tt[j]) ** rate, ":", color=color, lw=1.5,
                    label=f"predicted rate t^({rate:.3g})")
    ax.set_xlabel("step t")
    ax.set_ylabel(curves.get("ylabel", ""))
    if not drawn:
        ax.text(0.5, 0.5, "every instance is on the prediction from the start\n"
                "(disagreement < 1e-14 at every record)", ha="center", va="center",
                transform=ax.transAxes, fontsize=9)
    return drawn


def figure_curves(r):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4))
    if _draw_curves(ax, r.curves):
        ax.legend(fontsize=7)
    ax.set_title(r.claim, fontsize=9)
    fig.tight_layout()
    return fig


def figure_distribution(r):
    """Per-instance disagreement (sorted) against the tolerance; log scale where positive."""
    plt = _plt()
    v = np.sort(np.asarray(r.values, dtype=float))
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    ok = v <= r.tolerance
    x = np.arange(v.size)
    ax.scatter(x[ok], v[ok], s=10, color="tab:green", label="within tolerance")
    ax.scatter(x[~ok], v[~ok], s=14, color="tab:red", marker="x", label="above tolerance")
    ax.axhline(r.tolerance, color="k", ls="--", lw=1, label=f"tolerance {r.tolerance:g}")
    if r.quantile < 1:
        ax.axvline(r.quantile * v.size - 0.5, color="gray", ls=":", lw=1,
                   label=f"required quantile {r.quantile:.0%}")
    pos = v[np.isfinite(v) & (v > 0)]
    if pos.size and (r.tolerance > 0) and pos.max() / max(pos.min(), 1e-300) > 100:
        ax.set_yscale("symlog", linthresh=max(min(pos.min(), r.tolerance) / 10, 1e-300))
    ax.set_xlabel("instance (sorted by disagreement)")
    ax.set_ylabel(r.metric, fontsize=8)
    ax.set_title(f"{r.theorem}: {r.claim}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_spectra(spectra: dict):
    plt = _plt()
    fig, axes = plt.subplots(1, len(spectra), figsize=(3.2 * len(spectra), 3), squeeze=False)
    for ax, (L, (trained, pred, kind)) in zip(axes[0], sorted(spectra.items()), strict=True):
        trained, pred = np.asarray(trained), np.asarray(pred)
        m = np.arange(trained.size)
        ax.bar(m - 0.2, pred, width=0.4, label=f"predicted ({kind})")
        ax.bar(m + 0.2, trained, width=0.4, label="trained")
        ax.set_title(f"depth L = {L}")
        ax.set_xlabel("DFT bin m")
        ax.set_ylabel("|beta_hat[m]| at unit margin")
        ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


def figure_fits(fits: dict):
    from implicit_bias.numerics.relu1d import predict
    from implicit_bias.theory.relu1d import min_norm_interpolation

    plt = _plt()
    fig, axes = plt.subplots(1, len(fits), figsize=(4 * len(fits), 3.2), squeeze=False)
    for ax, (name, ((x, y), p, skip)) in zip(axes[0], fits.items(), strict=True):
        x, y = np.asarray(x, float), np.asarray(y, float)
        span = max(float(x[-1] - x[0]), 1.0)
        t = np.linspace(x[0] - 0.6 * span, x[-1] + 0.6 * span, 600)
        best = min_norm_interpolation(x, y, skip=skip)
        ax.plot(t, best(t), "--", label=f"a minimal interpolant (R = {best.cost:.3g})")
        ax.plot(t, np.asarray(predict(p, t, skip)), label="trained net")
        ax.plot(x, y, "ko", ms=4)
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


def _save(fig, path: Path, dpi: int = 110) -> Path:
    fig.savefig(path, dpi=dpi)
    _plt().close(fig)
    return path


def plot(results, path: Path) -> Path | None:
    """Every direction-error curve (1 - cos against t, log-log) in one PNG."""
    curves = [r for r in results if r.curves and r.curves.get("target") is None]
    if not curves:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    drawn = sum(_draw_curves(ax, {k: v for k, v in r.curves.items() if k != "rate"},
                             label_prefix=f"{r.theorem} ") for r in curves)
    ax.set_ylabel("1 - cos (direction error)")
    ax.set_title("Direction error to the predicted direction (bands: 10-90% of instances)")
    if drawn:
        ax.legend(fontsize=6)
    fig.tight_layout()
    return _save(fig, path, dpi=120)


def plot_spectra(results, path: Path) -> Path | None:
    """|β̂| of a trained convnet (unit margin) against the predicted solution, per depth."""
    spectra = next((r.spectra for r in results if r.spectra), None)
    return _save(figure_spectra(spectra), path) if spectra else None


def plot_fits(results, path: Path) -> Path | None:
    """Trained ReLU fits against the minimal interpolant, one panel per data family."""
    fits = next((r.fits for r in results if r.fits), None)
    return _save(figure_fits(fits), path) if fits else None


def _img(fig, cls: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    _plt().close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="{cls}" alt="{cls} plot" src="data:image/png;base64,{data}">'


_CSS = """
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}
.PASS{color:#176a1c;font-weight:bold}.FAIL{color:#b00020;font-weight:bold}
section.claim{border-top:1px solid #ddd;margin-top:1.5em;padding-top:.5em}
img{max-width:100%;display:block;margin:.5em 0}code{font-size:12px}
"""


def html(results, path: Path, *, meta: dict | None = None) -> Path:
    """Write the self-contained report: summary table, then one section per claim."""
    meta = meta or {}
    esc = _html.escape
    rows, sections = [], []
    for i, r in enumerate(results):
        s = r.summary()
        verdict = "PASS" if s["passed"] else "FAIL"
        rows.append(f"<tr><td>{esc(r.theorem)}</td><td><a href='#c{i}'>{esc(r.claim)}</a></td>"
                    f"<td>{esc(r.kind)}</td><td>{s['instances']}</td><td>{s['median']:.2e}</td>"
                    f"<td>{s['worst']:.2e}</td><td>{r.tolerance:.0e}</td>"
                    f"<td class='{verdict}'>{verdict}</td></tr>")
        figs = [_img(figure_distribution(r), "distribution")]
        if r.curves:
            figs.append(_img(figure_curves(r), "characteristic"))
        if r.spectra:
            figs.append(_img(figure_spectra(r.spectra), "characteristic"))
        if r.fits:
            figs.append(_img(figure_fits(r.fits), "characteristic"))
        extras = "".join(f"<li>{esc(k)}: median {v['median']:.3g}, mean {v['mean']:.3g}, "
                         f"worst {v['worst']:.3g}</li>" for k, v in s["extras"].items())
        need = "every instance" if r.quantile >= 1 else f"{r.quantile:.0%} of instances"
        sections.append(
            f"<section class='claim' id='c{i}' data-claim='{esc(r.theorem)}: {esc(r.claim)}'>"
            f"<h3>{esc(r.theorem)}: {esc(r.claim)} <span class='{verdict}'>{verdict}</span></h3>"
            f"<p><b>{esc(r.kind)}</b>. Metric <code>{esc(r.metric)}</code> &le; "
            f"{r.tolerance:g} required on {need}; {s['above_tolerance']} of {s['instances']} "
            f"above; median {s['median']:.3g}, worst {s['worst']:.3g}; {r.seconds:.1f} s.</p>"
            f"<p>{esc(r.notes)}</p>{'<ul>' + extras + '</ul>' if extras else ''}"
            + "".join(figs) + "</section>")
    n_pass = sum(r.passed for r in results)
    vers = ", ".join(f"{k} {v}" for k, v in (meta.get("versions") or {}).items() if v)
    state = "" if meta.get("complete", True) else " (INCOMPLETE: interrupted run)"
    doc = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>implicit-bias verify"
           f"</title><style>{_CSS}</style></head><body><h1>implicit-bias verify{state}</h1>"
           f"<p>{n_pass} of {len(results)} claims pass. Seed {meta.get('seed')}, "
           f"{meta.get('instances')} instances drawn per theorem and data family (batches of "
           f"{meta.get('chunk')}); a claim's n also counts seeds and families.</p>"
           f"<p><small>{esc(vers)}</small></p><table><tr><th>theorem</th><th>claim</th>"
           f"<th>kind</th><th>n</th><th>median</th><th>worst</th><th>tol</th><th>verdict</th>"
           f"</tr>{''.join(rows)}</table>{''.join(sections)}</body></html>\n")
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    tmp.write_text(doc)
    tmp.replace(path)
    return Path(path)
