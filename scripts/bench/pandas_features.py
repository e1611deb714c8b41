#!/usr/bin/python3
"""pandas_features.py IN OUT - sp-features' default feature set, the way a
pandas user writes it: groupby('symbol') with rolling/ewm/shift, on prices
adjusted by adj_close/close.  It is the peer in scripts/bench/features; the
formulas follow the usual pandas idioms (Wilder averages as ewm with
alpha=1/N and adjust=False, CCI's mean deviation with rolling().apply),
not TA-Lib's seeding, so values agree only after the warm-up."""
import sys

import numpy as np
import pandas as pd


def features(g):
    f = g["adj_close"] / g["close"]
    f = f.fillna(1.0)
    o, h, lo, c = g["open"] * f, g["high"] * f, g["low"] * f, g["close"] * f
    v = g["volume"] / f
    out = pd.DataFrame(index=g.index)
    for n in (1, 5, 10, 20, 60):
        out[f"ret_{n}"] = c.pct_change(n)
    out["logret_1"] = np.log(c).diff()
    out["ret_1_lag_1"] = out["ret_1"].shift(1)
    out["ret_1_lag_2"] = out["ret_1"].shift(2)

    d = c.diff()
    up = d.clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
    down = (-d.clip(upper=0)).ewm(alpha=1 / 14, adjust=False).mean()
    out["rsi_14"] = 100 - 100 / (1 + up / down)
    out["rsi_14_lag_1"] = out["rsi_14"].shift(1)

    ll, hh = lo.rolling(14).min(), h.rolling(14).max()
    k = 100 * (c - ll) / (hh - ll)
    out["stoch_k_14_3"] = k
    out["stoch_d_14_3"] = k.rolling(3).mean()
    out["willr_14"] = -100 * (hh - c) / (hh - ll)

    tp = (h + lo + c) / 3
    sma = tp.rolling(20).mean()
    mad = tp.rolling(20).apply(lambda x: np.mean(np.abs(x - x.mean())), raw=True)
    out["cci_20"] = (tp - sma) / (0.015 * mad)

    mf = tp * v
    pos = mf.where(tp.diff() > 0, 0.0).rolling(14).sum()
    neg = mf.where(tp.diff() < 0, 0.0).rolling(14).sum()
    out["mfi_14"] = 100 - 100 / (1 + pos / neg)

    tr = pd.concat([h - lo, (h - c.shift()).abs(), (lo - c.shift()).abs()], axis=1).max(axis=1)
    upm, dnm = h.diff(), -lo.diff()
    pdm = upm.where((upm > dnm) & (upm > 0), 0.0)
    mdm = dnm.where((dnm > upm) & (dnm > 0), 0.0)
    atr = tr.ewm(alpha=1 / 14, adjust=False).mean()
    pdi = 100 * pdm.ewm(alpha=1 / 14, adjust=False).mean() / atr
    mdi = 100 * mdm.ewm(alpha=1 / 14, adjust=False).mean() / atr
    dx = 100 * (pdi - mdi).abs() / (pdi + mdi)
    out["adx_14"] = dx.ewm(alpha=1 / 14, adjust=False).mean()
    out["plus_di_14"], out["minus_di_14"] = pdi, mdi

    lr = out["logret_1"]
    for n in (5, 20, 60):
        out[f"vol_{n}"] = lr.rolling(n).std()
    out["vzscore_20"] = (v - v.rolling(20).mean()) / v.rolling(20).std()
    out["gap"] = o / c.shift() - 1
    out["hlrange"] = (h - lo) / c
    out["hlrange_lag_1"] = out["hlrange"].shift(1)
    for n in (20, 252):
        out[f"dhigh_{n}"] = c / h.rolling(n).max() - 1
        out[f"dlow_{n}"] = c / lo.rolling(n).min() - 1
    return out


def main():
    df = pd.read_csv(sys.argv[1])
    df["dow"] = pd.to_datetime(df["date"]).dt.dayofweek + 1
    feats = df.groupby("symbol", group_keys=False, sort=False).apply(features)
    out = pd.concat([df[["symbol", "date", "close"]], feats, df[["dow"]]], axis=1)
    out.to_csv(sys.argv[2], index=False)


if __name__ == "__main__":
    main()
